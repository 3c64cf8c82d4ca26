package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.engine.autodiff.CentralDifference.Values;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nearest upsampling against PyTorch (1e-5 abs + 1e-4 rel) and central differences. */
class UpsampleTest {

    @Test
    void matchesPyTorch() {
        GradientCheckTest.kernels().forEach(k -> {
            CnnGoldenFixture f = CnnGoldenFixture.load("upsample_nearest2");
            int s = f.intAttr("scale");
            f.check(k, (g, in) -> PoolingOps.upsampleNearest(g, in.get("x"), s, s));
        });
    }

    @Test
    void gradientsMatchCentralDifference() {
        Kernels k = GradientCheckTest.kernels().findFirst().orElseThrow();
        CentralDifference.check(k, List.of(Shape.of(2, 2, 3, 2)),
                (g, x) -> PoolingOps.upsampleNearest(g, x.get(0), 2, 3), Values.UNIFORM, 9);
    }

    @Test
    void shapeIsScaled() {
        Graph g = new Graph();
        assertEquals(Shape.of(1, 2, 6, 12), PoolingOps.upsampleNearest(g, g.input("x", Shape.of(1, 2, 3, 4)), 2, 3).shape());
    }
}
