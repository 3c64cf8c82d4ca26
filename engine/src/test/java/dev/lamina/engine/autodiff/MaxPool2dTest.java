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

/** Max pooling against PyTorch (1e-5 abs + 1e-4 rel) and central differences on tie-free inputs. */
class MaxPool2dTest {

    static Stream<Arguments> goldens() {
        return Stream.of("maxpool2d_k2s2", "maxpool2d_k3s2p1")
                .flatMap(n -> GradientCheckTest.kernels().map(k -> Arguments.of(n, k)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("goldens")
    void matchesPyTorch(String name, Kernels kernels) {
        CnnGoldenFixture f = CnnGoldenFixture.load(name);
        int k = f.intAttr("kernel");
        int s = f.intAttr("stride");
        int p = f.intAttr("padding");
        f.check(kernels, (g, in) -> PoolingOps.maxPool2d(g, in.get("x"), k, k, s, s, p, p));
    }

    @Test
    void gradientsMatchCentralDifference() {
        Kernels k = GradientCheckTest.kernels().findFirst().orElseThrow();
        CentralDifference.check(k, List.of(Shape.of(2, 2, 5, 6)),
                (g, x) -> PoolingOps.maxPool2d(g, x.get(0), 2, 2, 2, 2, 0, 0), Values.DISTINCT, 5);
        CentralDifference.check(k, List.of(Shape.of(2, 2, 5, 6)),
                (g, x) -> PoolingOps.maxPool2d(g, x.get(0), 3, 3, 2, 1, 1, 1), Values.DISTINCT, 6);
    }

    @Test
    void badShapesAreRefusedWithTheShape() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(2, 3, 2, 2));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> PoolingOps.maxPool2d(g, x, 3, 3, 1, 1, 0, 0));
        assertTrue(small.getMessage().contains("[2, 3, 2, 2]") && small.getMessage().contains("[3, 3]"), small.getMessage());
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class,
                () -> PoolingOps.maxPool2d(g, x, 2, 2, 1, 1, 2, 2));
        assertTrue(pad.getMessage().contains("padding"), pad.getMessage());
    }
}
