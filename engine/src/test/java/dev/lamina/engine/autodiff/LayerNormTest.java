package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** LayerNorm over the last dimension against PyTorch (output 1e-5, gradients 1e-4) and central differences. */
class LayerNormTest {

    static java.util.stream.Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchesPyTorch(Kernels k) {
        GoldenFixture.load("layernorm").compare(k,
                (g, n) -> LayerNormOps.layerNorm(g, n.get("x"), n.get("weight"), n.get("bias"), 1e-5f), 1e-5, 1e-4);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void gradientsMatchCentralDifference(Kernels k) {
        GradientChecker.check(k, List.of(Shape.of(2, 3, 6), Shape.of(6), Shape.of(6)),
                (g, p) -> LayerNormOps.layerNorm(g, p.get(0), p.get(1), p.get(2), 1e-5f), Map.of(), false, 9);
    }

    @Test
    void mismatchedScaleIsRefusedNamingBothShapes() {
        Graph g = new Graph();
        ShapeOpsTest.assertNamed(() -> LayerNormOps.layerNorm(g, g.input("x", Shape.of(2, 8)), g.input("w", Shape.of(4)),
                g.input("b", Shape.of(4)), 1e-5f), "[2, 8]", "[4]");
    }
}
