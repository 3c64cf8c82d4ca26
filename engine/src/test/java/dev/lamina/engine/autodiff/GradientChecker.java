package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.kernel.ScalarKernels;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Central-difference gradient checks shared by the sequence-op tests: loss = sum(op(params) * R)
 * with a fixed random R; every parameter element's analytic gradient must match
 * (L(x + h) - L(x - h)) / 2h within {@code 2e-3 + 1e-2 * max(|analytic|, |numeric|)} (h = 1e-2, float32).
 */
public final class GradientChecker {
    private static final float H = 1e-2f;

    private GradientChecker() {
    }

    /** The scalar kernels, plus the vectorized ones when the vector module is present. */
    public static Stream<Kernels> kernels() {
        return KernelProvider.vectorized()
                ? Stream.of(ScalarKernels.INSTANCE, KernelProvider.kernels()) : Stream.of(ScalarKernels.INSTANCE);
    }

    /**
     * Checks op over parameters of the given shapes (values in [-1, 1], or |x| >= 0.1 when
     * {@code awayFromZero}); INPUT nodes the op creates are filled from {@code inputs} by name.
     * Returns the number of elements checked.
     */
    public static int check(Kernels kernels, List<Shape> shapes, BiFunction<Graph, List<Node>, Node> op,
                            Map<String, float[]> inputs, boolean awayFromZero, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Graph g = new Graph();
        List<Node> params = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            params.add(g.param("p" + i, shapes.get(i)));
        }
        Node out = op.apply(g, params);
        Node r = g.input("__r", out.shape());
        Node loss = g.sum(g.mul(out, r));
        Map<Node, Node> grads = Gradients.of(g, loss, params);
        Map<Node, Tensor> bindings = new HashMap<>();
        List<Node> outputs = new ArrayList<>(List.of(loss));
        List<float[]> values = new ArrayList<>();
        List<float[]> analytic = new ArrayList<>();
        for (Node p : params) {
            float[] v = new float[p.shape().size()];
            for (int i = 0; i < v.length; i++) {
                float x = (float) random.nextDouble(-1, 1);
                v[i] = awayFromZero ? Math.copySign(0.1f + Math.abs(x), x) : x;
            }
            values.add(v);
            bindings.put(p, new Tensor(p.shape(), v, 0));
            float[] a = new float[v.length];
            analytic.add(a);
            Node gn = grads.get(p);
            if (bindings.containsKey(gn) || gn.inputs().isEmpty()) {
                gn = g.copy(gn);
            }
            bindings.put(gn, new Tensor(p.shape(), a, 0));
            outputs.add(gn);
        }
        Plan plan = Plan.compile(kernels, g, outputs, bindings);
        Tensor rt = plan.tensor(r);
        for (int i = 0; i < rt.size(); i++) {
            rt.data()[rt.offset() + i] = (float) random.nextDouble(-1, 1);
        }
        for (Node n : g.nodes()) {
            if (n.op() == Op.INPUT && inputs.containsKey(n.name())) {
                Tensor t = plan.tensor(n);
                System.arraycopy(inputs.get(n.name()), 0, t.data(), t.offset(), t.size());
            }
        }
        plan.run();
        List<float[]> expected = analytic.stream().map(float[]::clone).toList();
        Tensor lossT = plan.tensor(loss);
        int checked = 0;
        for (int p = 0; p < params.size(); p++) {
            float[] v = values.get(p);
            for (int i = 0; i < v.length; i++) {
                float saved = v[i];
                v[i] = saved + H;
                plan.run();
                double up = lossT.get(0);
                v[i] = saved - H;
                plan.run();
                double down = lossT.get(0);
                v[i] = saved;
                double numeric = (up - down) / (2 * H);
                double a = expected.get(p)[i];
                double tolerance = 2e-3 + 1e-2 * Math.max(Math.abs(a), Math.abs(numeric));
                assertEquals(numeric, a, tolerance, "param " + p + " " + params.get(p).shape() + "[" + i + "]");
                checked++;
            }
        }
        return checked;
    }
}
