package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The direct forward convolution equals im2col + GEMM on every shape it accepts. */
class ConvStrategyTest {

    private static float[] forward(Kernels kernels, int[] x, int[] w, int strideH, int pad, int dilationH, int groups,
                                   int strategy, long seed) {
        Graph g = new Graph();
        Node xn = g.input("x", Shape.of(x));
        Node wn = g.input("w", Shape.of(w));
        Node y = ConvOps.conv2d(g, xn, wn, strideH, 1, pad, pad, dilationH, 1, groups, strategy);
        Plan plan = Plan.compile(kernels, g, List.of(y), Map.of());
        SplittableRandom random = new SplittableRandom(seed);
        for (Node n : List.of(xn, wn)) {
            Tensor t = plan.tensor(n);
            for (int i = 0; i < t.size(); i++) {
                t.data()[t.offset() + i] = (float) random.nextDouble(-1, 1);
            }
        }
        plan.run();
        plan.run();
        return plan.tensor(y).toArray();
    }

    @ParameterizedTest(name = "x={0}x{1}x{2}x{3} w={4}x{5}x{6} stride {7} pad {8} dilation {9} groups {10}")
    @CsvSource({
        "2,1,28,28, 6,5,5, 1,0,1,1",
        "2,1,28,28, 6,5,5, 1,2,1,1",
        "2,3,9,7, 4,3,3, 1,1,1,1",
        "2,4,9,7, 4,3,3, 2,1,1,2",
        "1,4,10,10, 4,3,3, 1,1,2,4",
        "3,2,6,5, 3,1,1, 1,0,1,1",
        "1,2,5,5, 2,5,5, 1,2,1,2"})
    void directEqualsIm2col(int b, int c, int h, int wd, int o, int kh, int kw, int stride, int pad, int dilation,
                            int groups) {
        for (Kernels k : GradientCheckTest.kernels().toList()) {
            int[] x = {b, c, h, wd};
            int[] w = {o, c / groups, kh, kw};
            float[] direct = forward(k, x, w, stride, pad, dilation, groups, ConvOps.DIRECT, 5);
            float[] im2col = forward(k, x, w, stride, pad, dilation, groups, ConvOps.IM2COL, 5);
            assertEquals(im2col.length, direct.length);
            for (int i = 0; i < direct.length; i++) {
                assertEquals(im2col[i], direct[i], 1e-5 + 1e-5 * Math.abs(im2col[i]), "element " + i + " with " + k);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void autoChoosesByShapeAndDirectNeedsUnitColumnStride() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(1, 1, 8, 8));
        Node dense = ConvOps.conv2d(g, x, g.input("w1", Shape.of(2, 1, 3, 3)), 1, 1, 1, 1, 1, 1, 1);
        Node x4 = g.input("x4", Shape.of(1, 4, 8, 8));
        Node depthwise = ConvOps.conv2d(g, x4, g.input("w2", Shape.of(4, 1, 3, 3)), 1, 1, 1, 1, 1, 1, 4);
        Node stridedDepthwise = ConvOps.conv2d(g, x4, g.input("w3", Shape.of(4, 1, 3, 3)), 2, 2, 0, 0, 1, 1, 4);
        assertFalse(ConvOps.direct(dense));
        assertTrue(ConvOps.direct(depthwise));
        assertFalse(ConvOps.direct(stridedDepthwise));
        assertFalse(ConvOps.padded(dense), "an 8-wide output stays with im2col");
        Node x28 = g.input("x28", Shape.of(2, 1, 28, 28));
        assertTrue(ConvOps.padded(ConvOps.conv2d(g, x28, g.input("w5", Shape.of(6, 1, 5, 5)), 1, 1, 2, 2, 1, 1, 1)));
        assertFalse(ConvOps.padded(ConvOps.conv2d(g, x28, g.input("w6", Shape.of(6, 1, 5, 5)), 2, 2, 2, 2, 1, 1, 1)),
                "strided");
        assertFalse(ConvOps.padded(ConvOps.conv2d(g, x28, g.input("w9", Shape.of(8, 1, 3, 3)), 1, 1, 1, 1, 1, 1, 1)),
                "8 output channels, more than one register tile");
        Node x28c = g.input("x28c", Shape.of(2, 4, 28, 28));
        assertFalse(ConvOps.padded(ConvOps.conv2d(g, x28c, g.input("w7", Shape.of(6, 4, 3, 3)), 1, 1, 1, 1, 1, 1, 1)),
                "36 column rows");
        assertThrows(IllegalArgumentException.class, () -> ConvOps.conv2d(g, x28c, g.input("w8", Shape.of(4, 2, 3, 3)),
                1, 1, 1, 1, 1, 1, 2, ConvOps.PADDED));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvOps.conv2d(g, x,
                g.input("w4", Shape.of(2, 1, 3, 3)), 2, 2, 0, 0, 1, 1, 1, ConvOps.DIRECT));
        assertTrue(e.getMessage().contains("strategy"), e.getMessage());
    }
}
