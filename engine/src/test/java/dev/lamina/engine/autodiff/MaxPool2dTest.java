package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.CentralDifference.Values;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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

    /**
     * The unrolled 2 x 2 path against the window scan by definition (first maximum wins, a NaN wins and
     * a later NaN wins over it), forward and backward, on inputs full of ties, NaNs and infinities.
     */
    @Test
    void twoByTwoMatchesTheWindowScanWithTiesAndNaNs() {
        Kernels k = GradientCheckTest.kernels().findFirst().orElseThrow();
        int[][] cases = {{2, 3, 7, 9, 2, 2}, {1, 2, 6, 6, 1, 1}, {3, 1, 8, 5, 3, 2}, {1, 1, 2, 2, 2, 2}};
        for (int[] c : cases) {
            int b = c[0], ch = c[1], h = c[2], w = c[3], sh = c[4], sw = c[5];
            Graph g = new Graph();
            Node x = g.input("x", Shape.of(b, ch, h, w));
            Node y = PoolingOps.maxPool2d(g, x, 2, 2, sh, sw, 0, 0);
            Node r = g.input("r", y.shape());
            Node dx = Gradients.of(g, g.sum(g.mul(y, r)), List.of(x)).get(x);
            Plan plan = Plan.compile(k, g, List.of(y, dx), Map.of());
            SplittableRandom random = new SplittableRandom(3);
            float[] special = {0f, 1f, 1f, -1f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
            float[] xs = new float[x.shape().size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = special[random.nextInt(special.length)];
            }
            float[] rs = new float[y.shape().size()];
            for (int i = 0; i < rs.length; i++) {
                rs[i] = (float) random.nextDouble(-1, 1);
            }
            System.arraycopy(xs, 0, plan.tensor(x).data(), plan.tensor(x).offset(), xs.length);
            System.arraycopy(rs, 0, plan.tensor(r).data(), plan.tensor(r).offset(), rs.length);
            plan.run();
            int oh = y.shape().dim(2), ow = y.shape().dim(3);
            float[] yExpected = new float[rs.length];
            float[] dxExpected = new float[xs.length];
            for (int plane = 0, o = 0; plane < b * ch; plane++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++, o++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int at = plane * h * w + oy * sh * w + ox * sw;
                        for (int iy = oy * sh; iy < oy * sh + 2; iy++) {
                            for (int ix = ox * sw; ix < ox * sw + 2; ix++) {
                                float v = xs[plane * h * w + iy * w + ix];
                                if (v > best || Float.isNaN(v)) {
                                    best = v;
                                    at = plane * h * w + iy * w + ix;
                                }
                            }
                        }
                        yExpected[o] = best;
                        dxExpected[at] += rs[o];
                    }
                }
            }
            float[] yActual = plan.tensor(y).toArray();
            float[] dxActual = plan.tensor(dx).toArray();
            for (int i = 0; i < yExpected.length; i++) {
                assertEquals(yExpected[i], yActual[i], "y[" + i + "] of case " + java.util.Arrays.toString(c));
            }
            for (int i = 0; i < dxExpected.length; i++) {
                assertEquals(dxExpected[i], dxActual[i], "dx[" + i + "] of case " + java.util.Arrays.toString(c));
            }
        }
    }
}
