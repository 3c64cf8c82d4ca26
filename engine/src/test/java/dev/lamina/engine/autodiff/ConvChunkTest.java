package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The im2col + GEMM convolution over chunks of samples (forward, input gradient and weight gradient)
 * against a plain nested-loop reference in double, on shapes with one chunk, several equal chunks and
 * a short last chunk, with padding wide enough to leave whole column rows empty, and with output
 * rows as wide as input rows (where im2col copies a whole kernel row at once); one shape is too large
 * for the forward to keep its columns, so the weight gradient runs im2col itself.
 */
class ConvChunkTest {

    private record Geometry(int b, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw,
                            int dh, int dw, int groups) {
        int oh() {
            return ConvGeometry.outSize(h, kh, sh, ph, dh);
        }

        int ow() {
            return ConvGeometry.outSize(w, kw, sw, pw, dw);
        }
    }

    @ParameterizedTest(name = "x={0}x{1}x{2}x{3} w={4}x{5}x{6} stride {7},{8} pad {9},{10} dilation {11},{12} groups {13}")
    @CsvSource({
        "7,8,32,32, 8,3,3, 1,1, 1,1, 1,1, 1",
        "7,8,32,32, 8,3,3, 1,1, 1,1, 1,1, 2",
        "64,1,28,28, 6,5,5, 1,1, 2,2, 1,1, 1",
        "5,6,14,14, 16,5,5, 1,1, 0,0, 1,1, 1",
        "3,2,9,7, 4,3,2, 2,3, 3,2, 1,2, 1",
        "4,3,11,13, 3,2,3, 3,2, 1,3, 2,1, 3",
        "2,1,1,1, 2,1,1, 1,1, 0,0, 1,1, 1",
        "2,2,5,4, 2,2,2, 1,2, 2,2, 3,1, 1",
        "3,2,2,6, 2,3,3, 1,1, 1,1, 1,1, 1",
        "2,3,7,7, 4,3,3, 1,1, 2,2, 2,2, 1",
        "1,1,3,5, 2,5,3, 1,1, 3,1, 1,1, 1",
        "2,1,4,6, 1,1,7, 1,1, 0,3, 1,1, 1",
        "4,64,48,48, 2,3,3, 1,1, 1,1, 1,1, 1",
        "3,2,20,18, 13,3,3, 1,1, 1,0, 1,1, 1"})
    void chunkedConvolutionMatchesNestedLoops(int b, int c, int h, int w, int o, int kh, int kw, int sh, int sw,
                                              int ph, int pw, int dh, int dw, int groups) {
        Geometry geo = new Geometry(b, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups);
        boolean unit = sh == 1 && sw == 1 && dh == 1 && dw == 1 && groups == 1;
        for (Kernels k : GradientCheckTest.kernels().toList()) {
            check(k, geo, ConvOps.IM2COL);
            if (unit) {
                check(k, geo, ConvOps.PADDED);
            }
        }
    }

    private static void check(Kernels kernels, Geometry geo, int strategy) {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(geo.b, geo.c, geo.h, geo.w));
        Node w = g.input("w", Shape.of(geo.o, geo.c / geo.groups, geo.kh, geo.kw));
        Node r = g.input("r", Shape.of(geo.b, geo.o, geo.oh(), geo.ow()));
        Node y = ConvOps.conv2d(g, x, w, geo.sh, geo.sw, geo.ph, geo.pw, geo.dh, geo.dw, geo.groups, strategy);
        Node loss = g.sum(g.mul(y, r));
        Map<Node, Node> grads = Gradients.of(g, loss, List.of(x, w));
        Plan plan = Plan.compile(kernels, g, List.of(y, grads.get(x), grads.get(w)), Map.of());
        SplittableRandom random = new SplittableRandom(11);
        float[][] values = new float[3][];
        List<Node> leaves = List.of(x, w, r);
        for (int i = 0; i < 3; i++) {
            Tensor t = plan.tensor(leaves.get(i));
            values[i] = new float[t.size()];
            for (int j = 0; j < t.size(); j++) {
                values[i][j] = (float) random.nextDouble(-1, 1);
                t.data()[t.offset() + j] = values[i][j];
            }
        }
        plan.run();
        plan.run();
        double[][] expected = reference(geo, values[0], values[1], values[2]);
        String what = geo + " strategy " + strategy + " with " + kernels;
        assertClose(expected[0], plan.tensor(y).toArray(), "y of " + what);
        assertClose(expected[1], plan.tensor(grads.get(x)).toArray(), "dx of " + what);
        assertClose(expected[2], plan.tensor(grads.get(w)).toArray(), "dw of " + what);
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 + 1e-4 * Math.abs(expected[i]), "element " + i + " of " + what);
        }
    }

    /** y, dx and dw (upstream r) by the definition, one multiply-add at a time. */
    private static double[][] reference(Geometry geo, float[] x, float[] w, float[] r) {
        int oh = geo.oh(), ow = geo.ow(), cg = geo.c / geo.groups, og = geo.o / geo.groups;
        double[] y = new double[geo.b * geo.o * oh * ow];
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        for (int s = 0; s < geo.b; s++) {
            for (int oc = 0; oc < geo.o; oc++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int yi = ((s * geo.o + oc) * oh + oy) * ow + ox;
                        for (int ci = 0; ci < cg; ci++) {
                            int ch = oc / og * cg + ci;
                            for (int i = 0; i < geo.kh; i++) {
                                int iy = oy * geo.sh - geo.ph + i * geo.dh;
                                for (int j = 0; j < geo.kw; j++) {
                                    int ix = ox * geo.sw - geo.pw + j * geo.dw;
                                    if (iy < 0 || iy >= geo.h || ix < 0 || ix >= geo.w) {
                                        continue;
                                    }
                                    int xi = ((s * geo.c + ch) * geo.h + iy) * geo.w + ix;
                                    int wi = ((oc * cg + ci) * geo.kh + i) * geo.kw + j;
                                    y[yi] += (double) w[wi] * x[xi];
                                    dx[xi] += (double) w[wi] * r[yi];
                                    dw[wi] += (double) x[xi] * r[yi];
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {y, dx, dw};
    }

    @Test
    void forwardKeepsTheColumnsForTheWeightGradientOnlyUnderTheCap() {
        Graph g = new Graph();
        Node small = ConvOps.conv2d(g, g.input("a", Shape.of(64, 1, 28, 28)), g.input("wa", Shape.of(6, 1, 5, 5)),
                1, 1, 2, 2, 1, 1, 1, ConvOps.IM2COL);
        Node padded = ConvOps.conv2d(g, g.input("p", Shape.of(64, 1, 28, 28)), g.input("wp", Shape.of(6, 1, 5, 5)),
                1, 1, 2, 2, 1, 1, 1);
        Node large = ConvOps.conv2d(g, g.input("b", Shape.of(4, 64, 48, 48)), g.input("wb", Shape.of(2, 64, 3, 3)),
                1, 1, 1, 1, 1, 1, 1);
        Node depthwise = ConvOps.conv2d(g, g.input("c", Shape.of(2, 4, 8, 8)), g.input("wc", Shape.of(4, 1, 3, 3)),
                1, 1, 1, 1, 1, 1, 4);
        assertEquals(1, small.intAttr(ConvGeometry.CACHED));
        assertEquals(64 * 25 * 784 + small.intAttr(ConvGeometry.CHUNK) * 6 * 784, small.scratchSize());
        assertEquals(0, large.intAttr(ConvGeometry.CACHED));
        assertEquals(0, depthwise.intAttr(ConvGeometry.CACHED), "the direct forward makes no columns");
        assertTrue(ConvOps.padded(padded), "AUTO gives LeNet's first layer the padded direct convolution");
        assertEquals(0, padded.intAttr(ConvGeometry.CACHED));
        assertEquals(64 * 32 * 32, padded.scratchSize(), "the padded batch, which the weight gradient reads");
    }

    @Test
    void chunksSplitTheBatchEvenlyUnderTheCap() {
        for (int batch : new int[] {1, 2, 7, 64, 1000}) {
            for (long perSample : new long[] {1, 777, 24304, 16600, ConvGeometry.CHUNK_FLOATS,
                ConvGeometry.CHUNK_FLOATS + 1, 50_000_000}) {
                int chunk = ConvGeometry.chunkSamples(batch, perSample);
                int chunks = (batch + chunk - 1) / chunk;
                String what = "batch " + batch + ", " + perSample + " floats per sample: chunk " + chunk;
                assertTrue(chunk >= 1 && chunk <= batch, what);
                assertTrue(chunk == 1 || chunk * perSample <= ConvGeometry.CHUNK_FLOATS, what);
                assertTrue(chunks == 1 || (chunks - 1) * chunk < batch && batch - (chunks - 1) * chunk > 0, what);
                long maxPerChunk = Math.max(1, Math.min(batch, ConvGeometry.CHUNK_FLOATS / perSample));
                assertEquals((batch + maxPerChunk - 1) / maxPerChunk, chunks, what);
            }
        }
    }
}
