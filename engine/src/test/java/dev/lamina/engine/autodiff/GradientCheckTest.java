package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central-difference gradient checks for every op that has a gradient rule. Each case builds
 * loss = sum(op(inputs) * R) with a fixed random R, so every output element's gradient is exercised,
 * and compares the analytic gradient of every input element with (L(x + h) - L(x - h)) / 2h.
 */
class GradientCheckTest {
    private static final float H = 1e-2f;

    /** An op under test: builds its output from parameter nodes created with the given shapes. */
    record Case(String name, List<Shape> inputs, BiFunction<Graph, List<Node>, Node> op, boolean awayFromZero) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = List.of(
                new Case("matmul", List.of(Shape.of(3, 4), Shape.of(4, 5)), (g, x) -> g.matmul(x.get(0), x.get(1), false, false), false),
                new Case("matmul transA", List.of(Shape.of(4, 3), Shape.of(4, 5)), (g, x) -> g.matmul(x.get(0), x.get(1), true, false), false),
                new Case("matmul transB", List.of(Shape.of(3, 4), Shape.of(5, 4)), (g, x) -> g.matmul(x.get(0), x.get(1), false, true), false),
                new Case("matmul transA transB", List.of(Shape.of(4, 3), Shape.of(5, 4)), (g, x) -> g.matmul(x.get(0), x.get(1), true, true), false),
                new Case("addBias", List.of(Shape.of(3, 5), Shape.of(5)), (g, x) -> g.addBias(x.get(0), x.get(1)), false),
                new Case("add", List.of(Shape.of(2, 7), Shape.of(2, 7)), (g, x) -> g.add(x.get(0), x.get(1)), false),
                new Case("mul", List.of(Shape.of(2, 7), Shape.of(2, 7)), (g, x) -> g.mul(x.get(0), x.get(1)), false),
                new Case("relu", List.of(Shape.of(4, 6)), (g, x) -> g.relu(x.get(0)), true),
                new Case("logSoftmax", List.of(Shape.of(3, 6)), (g, x) -> g.logSoftmax(x.get(0)), false),
                new Case("sum", List.of(Shape.of(3, 6)), (g, x) -> g.sum(x.get(0)), false),
                new Case("expand", List.of(Shape.of(1)), (g, x) -> g.expand(x.get(0), Shape.of(2, 3)), false),
                new Case("copy", List.of(Shape.of(9)), (g, x) -> g.copy(x.get(0)), false),
                new Case("shared input (a * a + a)", List.of(Shape.of(2, 3)),
                        (g, x) -> g.add(g.mul(x.get(0), x.get(0)), x.get(0)), false));
        return cases.stream().flatMap(c -> kernels().map(k -> Arguments.of(c, k)));
    }

    static Stream<Kernels> kernels() {
        return KernelProvider.vectorized()
                ? Stream.of(ScalarKernels.INSTANCE, KernelProvider.kernels()) : Stream.of(ScalarKernels.INSTANCE);
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("cases")
    void analyticGradientMatchesCentralDifference(Case c, Kernels kernels) {
        Graph g = new Graph();
        List<Node> params = new ArrayList<>();
        for (int i = 0; i < c.inputs().size(); i++) {
            params.add(g.param("x" + i, c.inputs().get(i)));
        }
        Node out = c.op().apply(g, params);
        Node r = g.input("r", out.shape());
        Node loss = g.sum(g.mul(out, r));
        assertCentralDifference(g, loss, params, r, kernels, c.awayFromZero(), 7);
    }

    @ParameterizedTest(name = "nll of logSoftmax ({0})")
    @MethodSource("kernels")
    void nllGradientMatchesCentralDifference(Kernels kernels) {
        Graph g = new Graph();
        Node logits = g.param("logits", Shape.of(4, 5));
        Node labels = g.input("labels", Shape.of(4));
        Node loss = g.nll(g.logSoftmax(logits), labels);
        Map<Node, float[]> extra = Map.of(labels, new float[] {0, 3, 4, 1});
        assertCentralDifference(g, loss, List.of(logits), null, kernels, false, 11, extra);
    }

    private static void assertCentralDifference(Graph g, Node loss, List<Node> params, Node r, Kernels kernels,
                                                boolean awayFromZero, long seed) {
        assertCentralDifference(g, loss, params, r, kernels, awayFromZero, seed, Map.of());
    }

    private static void assertCentralDifference(Graph g, Node loss, List<Node> params, Node r, Kernels kernels,
                                                boolean awayFromZero, long seed, Map<Node, float[]> fixedInputs) {
        SplittableRandom random = new SplittableRandom(seed);
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
        if (r != null) {
            Tensor rt = plan.tensor(r);
            for (int i = 0; i < rt.size(); i++) {
                rt.data()[rt.offset() + i] = (float) random.nextDouble(-1, 1);
            }
        }
        fixedInputs.forEach((node, v) -> System.arraycopy(v, 0, plan.tensor(node).data(), plan.tensor(node).offset(), v.length));
        plan.run();
        List<float[]> analyticCopy = analytic.stream().map(float[]::clone).toList();
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
                double a = analyticCopy.get(p)[i];
                double tolerance = 2e-3 + 1e-2 * Math.max(Math.abs(a), Math.abs(numeric));
                assertEquals(numeric, a, tolerance, params.get(p) + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked > 0, "no element was checked");
    }

    @org.junit.jupiter.api.Test
    void missingRuleNamesTheOp() {
        Graph g = new Graph();
        Node x = g.param("x", Shape.of(2, 3));
        Node loss = g.sum(g.sumRows(x));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gradients.of(g, loss, List.of(x)));
        assertTrue(e.getMessage().contains("SUM_ROWS"), e.getMessage());
    }
}
