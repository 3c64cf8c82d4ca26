package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central-difference gradient checks for every core op that has a gradient rule, through the shared
 * {@link GradientChecker}: loss = sum(op(inputs) * R) with a fixed random R, so every output
 * element's gradient is exercised, against (L(x + h) - L(x - h)) / 2h for every input element.
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
        return GradientChecker.kernels();
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("cases")
    void analyticGradientMatchesCentralDifference(Case c, Kernels kernels) {
        int checked = GradientChecker.check(kernels, c.inputs(), c.op(), Map.of(), c.awayFromZero(), 7);
        assertTrue(checked > 0, "no element was checked");
    }

    @ParameterizedTest(name = "nll of logSoftmax ({0})")
    @MethodSource("kernels")
    void nllGradientMatchesCentralDifference(Kernels kernels) {
        int checked = GradientChecker.check(kernels, List.of(Shape.of(4, 5)),
                (g, x) -> g.nll(g.logSoftmax(x.get(0)), g.input("labels", Shape.of(4))),
                Map.of("labels", new float[] {0, 3, 4, 1}), false, 11);
        assertTrue(checked == 20, "checked " + checked);
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
