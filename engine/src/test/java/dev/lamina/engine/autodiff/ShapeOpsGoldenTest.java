package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Permute, slice, concat and reshape against PyTorch 1.13 (outputs and gradients exact to 1e-7). */
class ShapeOpsGoldenTest {

    static java.util.stream.Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchPyTorch(Kernels k) {
        GoldenFixture.load("permute").compare(k, (g, n) -> SequenceOps.permute(g, n.get("x"), 2, 0, 1), 1e-7, 1e-7);
        GoldenFixture.load("slice").compare(k, (g, n) -> SequenceOps.slice(g, n.get("x"), 1, 1, 2), 1e-7, 1e-7);
        GoldenFixture.load("concat").compare(k, (g, n) -> SequenceOps.concat(g, 2, List.of(n.get("a"), n.get("b"))),
                1e-7, 1e-7);
        GoldenFixture.load("reshape").compare(k, (g, n) -> SequenceOps.reshape(g, n.get("x"), Shape.of(6, 4)), 1e-7, 1e-7);
    }
}
