package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.CentralDifference.Values;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Batch normalization (train and eval, 1d and 2d) against PyTorch (1e-5 abs + 1e-4 rel) and central differences. */
class BatchNormTest {

    static Stream<Arguments> goldens() {
        return Stream.of("batchnorm2d_train", "batchnorm1d_train")
                .flatMap(n -> GradientCheckTest.kernels().map(k -> Arguments.of(n, k)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("goldens")
    void trainingModeMatchesPyTorch(String name, Kernels kernels) {
        CnnGoldenFixture f = CnnGoldenFixture.load(name);
        float eps = (float) f.doubleAttr("eps");
        f.check(kernels, (g, in) -> BatchNormOps.batchNorm(g, in.get("x"), in.get("weight"), in.get("bias"), eps));
    }

    @Test
    void evalModeMatchesPyTorch() {
        CnnGoldenFixture f = CnnGoldenFixture.load("batchnorm2d_eval");
        float eps = (float) f.doubleAttr("eps");
        f.check(GradientCheckTest.kernels().findFirst().orElseThrow(), (g, in) -> BatchNormOps.batchNormEval(g,
                in.get("x"), in.get("weight"), in.get("bias"), in.get("running_mean"), in.get("running_var"), eps));
    }

    @Test
    void gradientsMatchCentralDifference() {
        Kernels k = GradientCheckTest.kernels().findFirst().orElseThrow();
        CentralDifference.check(k, List.of(Shape.of(3, 2, 2, 3), Shape.of(2), Shape.of(2)),
                (g, x) -> BatchNormOps.batchNorm(g, x.get(0), x.get(1), x.get(2), 1e-5f), Values.UNIFORM, 21);
        CentralDifference.check(k, List.of(Shape.of(5, 3), Shape.of(3), Shape.of(3)),
                (g, x) -> BatchNormOps.batchNorm(g, x.get(0), x.get(1), x.get(2), 1e-5f), Values.UNIFORM, 22);
    }

    @Test
    void evalModeGradientMatchesCentralDifference() {
        CentralDifference.check(GradientCheckTest.kernels().findFirst().orElseThrow(),
                List.of(Shape.of(2, 3, 2, 2), Shape.of(3), Shape.of(3), Shape.of(3), Shape.of(3)), 1,
                (g, x) -> BatchNormOps.batchNormEval(g, x.get(0), x.get(1), x.get(2), x.get(3), g.add(x.get(4),
                        g.fill(Shape.of(3), 2f)), 1e-5f), Values.UNIFORM, 23);
    }

    @Test
    void wrongChannelsNameBothShapes() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(4, 3, 5, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchNormOps.batchNorm(g, x, g.param("w", Shape.of(4)), g.param("b", Shape.of(3)), 1e-5f));
        assertTrue(e.getMessage().contains("[4, 3, 5, 5]") && e.getMessage().contains("[4]"), e.getMessage());
    }
}
