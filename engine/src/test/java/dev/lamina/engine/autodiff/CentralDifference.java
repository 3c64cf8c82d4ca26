package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * Central-difference gradient checks for the convolutional ops: loss = sum(op(inputs) * R) with a
 * fixed random R; every input element's analytic gradient must match (L(x + h) - L(x - h)) / 2h
 * within 2e-3 + 1e-2 max(|analytic|, |numeric|), h = 1e-2. Dropout nodes replay step 0 on every run,
 * so the mask is fixed while the inputs move.
 */
final class CentralDifference {
    static final float H = 1e-2f;

    private CentralDifference() {
    }

    /** Values for the inputs: uniform [-1, 1), or a shuffled grid spaced 0.05 apart (no near-ties, for max pooling). */
    enum Values { UNIFORM, DISTINCT }

    /** Checks every input of op; returns how many elements were checked. */
    static int check(Kernels kernels, List<Shape> shapes, BiFunction<Graph, List<Node>, Node> op, Values values, long seed) {
        return check(kernels, shapes, shapes.size(), op, values, seed);
    }

    /** Checks the first {@code differentiable} inputs of op (the others, such as targets, are held fixed). */
    static int check(Kernels kernels, List<Shape> shapes, int differentiable, BiFunction<Graph, List<Node>, Node> op,
                     Values values, long seed) {
        Graph g = new Graph();
        List<Node> params = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            params.add(g.param("x" + i, shapes.get(i)));
        }
        Node out = op.apply(g, params);
        Node r = g.input("r", out.shape());
        Node loss = g.sum(g.mul(out, r));
        Map<Node, Node> grads = Gradients.of(g, loss, params.subList(0, differentiable));
        SplittableRandom random = new SplittableRandom(seed);
        Map<Node, Tensor> bindings = new HashMap<>();
        List<float[]> inputs = new ArrayList<>();
        List<float[]> analytic = new ArrayList<>();
        List<Node> outputs = new ArrayList<>(List.of(loss));
        for (Node p : params) {
            float[] v = values(p.shape().size(), values, random);
            inputs.add(v);
            bindings.put(p, new Tensor(p.shape(), v, 0));
            Node gn = grads.get(p);
            if (gn == null) {
                continue;
            }
            if (bindings.containsKey(gn) || gn.inputs().isEmpty()) {
                gn = g.copy(gn);
            }
            float[] a = new float[v.length];
            analytic.add(a);
            bindings.put(gn, new Tensor(p.shape(), a, 0));
            outputs.add(gn);
        }
        Plan plan = Plan.compile(kernels, g, outputs, bindings);
        Tensor rt = plan.tensor(r);
        for (int i = 0; i < rt.size(); i++) {
            rt.data()[rt.offset() + i] = (float) random.nextDouble(-1, 1);
        }
        run(plan, g);
        List<float[]> expected = analytic.stream().map(float[]::clone).toList();
        Tensor lossT = plan.tensor(loss);
        int checked = 0;
        for (int p = 0; p < differentiable; p++) {
            float[] v = inputs.get(p);
            for (int i = 0; i < v.length; i++, checked++) {
                float saved = v[i];
                v[i] = saved + H;
                run(plan, g);
                double up = lossT.get(0);
                v[i] = saved - H;
                run(plan, g);
                double down = lossT.get(0);
                v[i] = saved;
                double numeric = (up - down) / (2 * H);
                double a = expected.get(p)[i];
                assertEquals(numeric, a, 2e-3 + 1e-2 * Math.max(Math.abs(a), Math.abs(numeric)), params.get(p) + "[" + i + "]");
            }
        }
        return checked;
    }

    private static float[] values(int n, Values kind, SplittableRandom random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = kind == Values.UNIFORM ? (float) random.nextDouble(-1, 1) : (i - n / 2) * 0.05f;
        }
        if (kind == Values.DISTINCT) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
        return v;
    }

    private static void run(Plan plan, Graph g) {
        for (Node n : g.nodes()) {
            if (n.op() == Op.DROPOUT && plan.scratch(n) != null) {
                DropoutOps.setStep(plan.scratch(n), n.shape().size(), 0);
            }
        }
        plan.run();
    }
}
