package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.kernel.ScalarKernels;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reshape, permute/transpose, slice, concat and broadcast add: values, gradients and refusals. */
class ShapeOpsTest {

    static java.util.stream.Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void gradientsMatchCentralDifference(Kernels k) {
        GradientChecker.check(k, List.of(Shape.of(2, 3, 4)), (g, p) -> SequenceOps.reshape(g, p.get(0), Shape.of(6, 4)), Map.of(), false, 1);
        GradientChecker.check(k, List.of(Shape.of(2, 3, 4)), (g, p) -> SequenceOps.permute(g, p.get(0), 2, 0, 1), Map.of(), false, 2);
        GradientChecker.check(k, List.of(Shape.of(2, 3, 4)), (g, p) -> SequenceOps.transpose(g, p.get(0)), Map.of(), false, 3);
        GradientChecker.check(k, List.of(Shape.of(2, 5, 3)), (g, p) -> SequenceOps.slice(g, p.get(0), 1, 1, 3), Map.of(), false, 4);
        GradientChecker.check(k, List.of(Shape.of(2, 2, 3), Shape.of(2, 1, 3)),
                (g, p) -> SequenceOps.concat(g, 1, List.of(p.get(0), p.get(1), p.get(0))), Map.of(), false, 5);
        GradientChecker.check(k, List.of(Shape.of(2, 3, 4), Shape.of(3, 4)),
                (g, p) -> SequenceOps.addBroadcast(g, p.get(0), p.get(1)), Map.of(), false, 6);
    }

    @Test
    void permuteAndSliceAndConcatMoveTheRightElements() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(2, 3));
        Node t = SequenceOps.transpose(g, x);
        Node s = SequenceOps.slice(g, x, 1, 1, 2);
        Node c = SequenceOps.concat(g, 0, List.of(x, x));
        Plan plan = Plan.compile(ScalarKernels.INSTANCE, g, List.of(t, s, c), Map.of());
        Tensor xt = plan.tensor(x);
        System.arraycopy(new float[] {1, 2, 3, 4, 5, 6}, 0, xt.data(), xt.offset(), 6);
        plan.run();
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, plan.tensor(t).toArray());
        assertArrayEquals(new float[] {2, 3, 5, 6}, plan.tensor(s).toArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}, plan.tensor(c).toArray());
    }

    @Test
    void badShapesAreRefusedNamingBothShapes() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(2, 3, 4));
        assertNamed(() -> SequenceOps.reshape(g, x, Shape.of(5, 5)), "[2, 3, 4]", "[5, 5]");
        assertNamed(() -> SequenceOps.permute(g, x, 0, 0, 1), "[2, 3, 4]", "[0, 0, 1]");
        assertNamed(() -> SequenceOps.slice(g, x, 1, 2, 2), "[2, 3, 4]", "start=2");
        assertNamed(() -> SequenceOps.slice(g, x, 3, 0, 1), "[2, 3, 4]", "dim=3");
        assertNamed(() -> SequenceOps.concat(g, 1, List.of(x, g.input("y", Shape.of(2, 3, 5)))), "[2, 3, 4]", "[2, 3, 5]");
        assertNamed(() -> SequenceOps.addBroadcast(g, x, g.input("p", Shape.of(4, 3))), "[2, 3, 4]", "[4, 3]");
    }

    static void assertNamed(Runnable r, String a, String b) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(a) && e.getMessage().contains(b), e.getMessage());
    }
}
