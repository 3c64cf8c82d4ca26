package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.CentralDifference.Values;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Conv2d against PyTorch goldens (tolerance 1e-5 abs + 1e-4 rel), central differences and shape errors. */
class Conv2dTest {

    static Stream<Arguments> goldens() {
        return Stream.of("conv2d_basic", "conv2d_stride2_pad1", "conv2d_dilation2", "conv2d_groups2",
                "conv2d_depthwise", "conv2d_1x1").flatMap(n -> GradientCheckTest.kernels().map(k -> Arguments.of(n, k)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("goldens")
    void matchesPyTorch(String name, Kernels kernels) {
        CnnGoldenFixture f = CnnGoldenFixture.load(name);
        int s = f.intAttr("stride");
        int p = f.intAttr("padding");
        int d = f.intAttr("dilation");
        int groups = f.intAttr("groups");
        f.check(kernels, (g, in) -> {
            Node y = ConvOps.conv2d(g, in.get("x"), in.get("weight"), s, s, p, p, d, d, groups);
            return in.containsKey("bias") ? ConvOps.addChannelBias(g, y, in.get("bias")) : y;
        });
    }

    /** (name, x, w, stride, pad, dilation, groups). */
    static Stream<Arguments> gradientCases() {
        List<Object[]> cases = List.of(
                new Object[] {"basic", Shape.of(2, 2, 5, 5), Shape.of(3, 2, 3, 3), 1, 0, 1, 1},
                new Object[] {"stride 2, padding 1", Shape.of(2, 2, 5, 6), Shape.of(3, 2, 3, 3), 2, 1, 1, 1},
                new Object[] {"dilation 2", Shape.of(1, 2, 7, 7), Shape.of(2, 2, 3, 3), 1, 1, 2, 1},
                new Object[] {"groups 2", Shape.of(2, 4, 4, 4), Shape.of(4, 2, 3, 3), 1, 1, 1, 2},
                new Object[] {"depthwise", Shape.of(2, 3, 5, 5), Shape.of(3, 1, 3, 3), 2, 1, 1, 3});
        return cases.stream().flatMap(c -> GradientCheckTest.kernels().map(k -> Arguments.of(c[0], k, c)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("gradientCases")
    void gradientsMatchCentralDifference(String name, Kernels kernels, Object[] c) {
        int s = (int) c[3];
        int p = (int) c[4];
        int d = (int) c[5];
        int groups = (int) c[6];
        Shape w = (Shape) c[2];
        int checked = CentralDifference.check(kernels, List.of((Shape) c[1], w, Shape.of(w.dim(0))),
                (g, x) -> ConvOps.addChannelBias(g, ConvOps.conv2d(g, x.get(0), x.get(1), s, s, p, p, d, d, groups), x.get(2)),
                Values.UNIFORM, 17);
        assertTrue(checked > 0);
    }

    /** The padded direct strategy (forward and weight gradient without a column matrix), 18-wide rows. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lamina.engine.autodiff.GradientCheckTest#kernels")
    void paddedDirectGradientsMatchCentralDifference(Kernels kernels) {
        int checked = CentralDifference.check(kernels, List.of(Shape.of(2, 2, 4, 18), Shape.of(7, 2, 3, 3), Shape.of(7)),
                (g, x) -> ConvOps.addChannelBias(g, ConvOps.conv2d(g, x.get(0), x.get(1), 1, 1, 1, 1, 1, 1, 1,
                        ConvOps.PADDED), x.get(2)),
                Values.UNIFORM, 23);
        assertTrue(checked > 0);
    }

    /** The sample-lanes strategy against the PyTorch goldens it applies to (unit strides, one group). */
    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("laneGoldens")
    void sampleLanesMatchesPyTorch(String name, Kernels kernels) {
        CnnGoldenFixture f = CnnGoldenFixture.load(name);
        int p = f.intAttr("padding");
        assertEquals(1, f.intAttr("stride"));
        f.check(kernels, (g, in) -> {
            Node y = ConvOps.conv2d(g, in.get("x"), in.get("weight"), 1, 1, p, p, 1, 1, 1, ConvOps.LANES);
            return in.containsKey("bias") ? ConvOps.addChannelBias(g, y, in.get("bias")) : y;
        });
    }

    static Stream<Arguments> laneGoldens() {
        return Stream.of("conv2d_basic", "conv2d_1x1").flatMap(n -> GradientCheckTest.kernels().map(k -> Arguments.of(n, k)));
    }

    /**
     * The sample-lanes strategy: 3 samples (the lanes padded to 32), unequal padding (2 rows, 1
     * column: the input gradient's upstream placed off-centre), 7 output channels (a full register
     * tile and a clamped one), 2 x 3 x 3 = 18 taps (the weight gradient's last tap tile clamped).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lamina.engine.autodiff.GradientCheckTest#kernels")
    void sampleLanesGradientsMatchCentralDifference(Kernels kernels) {
        int checked = CentralDifference.check(kernels, List.of(Shape.of(3, 2, 4, 5), Shape.of(7, 2, 3, 3), Shape.of(7)),
                (g, x) -> ConvOps.addChannelBias(g, ConvOps.conv2d(g, x.get(0), x.get(1), 1, 1, 2, 1, 1, 1, 1,
                        ConvOps.LANES), x.get(2)),
                Values.UNIFORM, 29);
        assertTrue(checked > 0);
    }

    /**
     * The bias as the convolution's third input (added as each strategy writes its output; LANES adds
     * it while leaving the sample-lanes layout), central differences on every strategy.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lamina.engine.autodiff.GradientCheckTest#kernels")
    void fusedBiasGradientsMatchCentralDifferenceOnEveryStrategy(Kernels kernels) {
        for (int strategy : new int[] {ConvOps.IM2COL, ConvOps.DIRECT, ConvOps.PADDED, ConvOps.LANES}) {
            int st = strategy;
            int checked = CentralDifference.check(kernels,
                    List.of(Shape.of(3, 2, 4, 5), Shape.of(7, 2, 3, 3), Shape.of(7)),
                    (g, x) -> ConvOps.conv2d(g, x.get(0), x.get(1), x.get(2), 1, 1, 1, 1, 1, 1, 1, st),
                    Values.UNIFORM, 31 + st);
            assertTrue(checked > 0, "strategy " + st);
        }
    }

    /** The fused bias against PyTorch's conv2d with bias, LANES and AUTO. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lamina.engine.autodiff.GradientCheckTest#kernels")
    void fusedBiasMatchesPyTorch(Kernels kernels) {
        CnnGoldenFixture f = CnnGoldenFixture.load("conv2d_basic");
        int p = f.intAttr("padding");
        for (int strategy : new int[] {ConvOps.AUTO, ConvOps.LANES}) {
            f.check(kernels, (g, in) -> ConvOps.conv2d(g, in.get("x"), in.get("weight"), in.get("bias"), 1, 1, p, p, 1,
                    1, 1, strategy));
        }
    }

    @Test
    void aBiasOfTheWrongLengthIsRefusedNamingBothShapes() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(1, 2, 4, 4));
        Node w = g.param("w", Shape.of(3, 2, 2, 2));
        Node bias = g.param("b", Shape.of(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(g, x, w, bias, 1, 1, 0, 0, 1, 1, 1, ConvOps.AUTO));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3, 2, 2, 2]"), e.getMessage());
    }

    @Test
    void sampleLanesRefusesPaddingAsLargeAsTheKernel() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(1, 1, 4, 4));
        Node w = g.param("w", Shape.of(1, 1, 2, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(g, x, w, 1, 1, 2, 0, 1, 1, 1, ConvOps.LANES));
        assertTrue(e.getMessage().contains("LANES"), e.getMessage());
    }

    @Test
    void reshapeGradientMatchesCentralDifference() {
        CentralDifference.check(GradientCheckTest.kernels().findFirst().orElseThrow(), List.of(Shape.of(2, 3, 2, 2)),
                (g, x) -> ConvOps.reshape(g, x.get(0), Shape.of(2, 12)), Values.UNIFORM, 3);
    }

    @Test
    void wrongChannelsNameBothShapes() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(8, 3, 28, 28));
        Node w = g.param("w", Shape.of(6, 1, 5, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(g, x, w, 1, 1, 0, 0, 1, 1, 1));
        assertEquals("conv2d input [8, 3, 28, 28] has 3 channels (expected: 1, from weight [6, 1, 5, 5] and groups 1)",
                e.getMessage());
    }

    @Test
    void badShapesAreRefusedNotIndexedOutOfBounds() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(2, 4, 3, 3));
        Map<String, Runnable> bad = Map.of(
                "too small", () -> ConvOps.conv2d(g, x, g.param("w", Shape.of(2, 4, 5, 5)), 1, 1, 0, 0, 1, 1, 1),
                "dilated too far", () -> ConvOps.conv2d(g, x, g.param("w", Shape.of(2, 4, 2, 2)), 1, 1, 0, 0, 3, 3, 1),
                "groups", () -> ConvOps.conv2d(g, x, g.param("w", Shape.of(3, 2, 1, 1)), 1, 1, 0, 0, 1, 1, 2),
                "rank", () -> ConvOps.conv2d(g, g.input("flat", Shape.of(2, 36)), g.param("w", Shape.of(2, 4, 1, 1)),
                        1, 1, 0, 0, 1, 1, 1),
                "stride", () -> ConvOps.conv2d(g, x, g.param("w", Shape.of(2, 4, 1, 1)), 0, 1, 0, 0, 1, 1, 1),
                "bias", () -> ConvOps.addChannelBias(g, x, g.param("b", Shape.of(3))));
        bad.forEach((what, r) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run, what);
            assertTrue(e.getMessage().contains("[2, 4, 3, 3]") || e.getMessage().contains("[2, 36]")
                    || e.getMessage().contains("stride"), what + ": " + e.getMessage());
        });
    }
}
