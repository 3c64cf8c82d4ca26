package dev.lamina.engine.autodiff;

import dev.lamina.engine.autodiff.CentralDifference.Values;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Average and global average pooling against PyTorch (1e-5 abs + 1e-4 rel) and central differences. */
class AvgPool2dTest {

    static Stream<Arguments> goldens() {
        return Stream.of("avgpool2d_k2s2", "avgpool2d_k3s2p1")
                .flatMap(n -> GradientCheckTest.kernels().map(k -> Arguments.of(n, k)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("goldens")
    void matchesPyTorch(String name, Kernels kernels) {
        CnnGoldenFixture f = CnnGoldenFixture.load(name);
        int k = f.intAttr("kernel");
        int s = f.intAttr("stride");
        int p = f.intAttr("padding");
        f.check(kernels, (g, in) -> PoolingOps.avgPool2d(g, in.get("x"), k, k, s, s, p, p));
    }

    @Test
    void globalAveragePoolMatchesPyTorch() {
        CnnGoldenFixture.load("globalavgpool").check(GradientCheckTest.kernels().findFirst().orElseThrow(), (g, in) -> {
            Node x = in.get("x");
            Node pooled = PoolingOps.avgPool2d(g, x, x.shape().dim(2), x.shape().dim(3), 1, 1, 0, 0);
            return ConvOps.reshape(g, pooled, Shape.of(x.shape().dim(0), x.shape().dim(1)));
        });
    }

    @Test
    void gradientsMatchCentralDifference() {
        Kernels k = GradientCheckTest.kernels().findFirst().orElseThrow();
        CentralDifference.check(k, List.of(Shape.of(2, 2, 5, 6)),
                (g, x) -> PoolingOps.avgPool2d(g, x.get(0), 3, 2, 2, 1, 1, 1), Values.UNIFORM, 8);
    }
}
