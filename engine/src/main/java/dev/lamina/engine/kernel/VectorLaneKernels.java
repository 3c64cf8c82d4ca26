package dev.lamina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sample-lanes convolution kernels of {@link VectorKernels} ({@link Kernels#convLanes} and its
 * weight gradient): every vector holds one position of L samples, so any row width fills whole
 * vectors. As in {@link VectorConvKernels}, only the preferred species is used and each hot loop is
 * one flattened loop (nested loops made C2 box the accumulators on JDK 17).
 */
final class VectorLaneKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output channels per register tile of the forward: 6 x 2 accumulators. */
    private static final int TILE = 6;

    private VectorLaneKernels() {
    }

    /**
     * Valid cross-correlation in sample-lanes layout (see {@link Kernels#convLanes}): a register tile of
     * 6 output channels x 2 vectors of samples per output position, over one flattened loop of the
     * taps that meet the input's nonzero window. Every vector holds L samples of one position, so any
     * row width fills whole vectors.
     */
    static void convLanes(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw, float[] w,
                          int wOff, int oh, int ow, float[] out, int outOff, int top, int left, int rows, int cols) {
        if (lanes % (2 * L) != 0) {
            ScalarKernels.INSTANCE.convLanes(c, hp, wp, lanes, x, xOff, o, kh, kw, w, wOff, oh, ow, out, outOff, top,
                    left, rows, cols);
            return;
        }
        int taps = c * kh * kw;
        int plane = oh * ow * lanes;
        for (int o0 = 0; o0 < o; o0 += TILE) {
            // A tile past the last channel repeats the last channel: same values, stored twice.
            int c0 = o0;
            int c1 = Math.min(o0 + 1, o - 1);
            int c2 = Math.min(o0 + 2, o - 1);
            int c3 = Math.min(o0 + 3, o - 1);
            int c4 = Math.min(o0 + 4, o - 1);
            int c5 = Math.min(o0 + 5, o - 1);
            int w0 = wOff + c0 * taps, w1 = wOff + c1 * taps, w2 = wOff + c2 * taps;
            int w3 = wOff + c3 * taps, w4 = wOff + c4 * taps, w5 = wOff + c5 * taps;
            for (int r = 0; r < oh; r++) {
                // The kernel rows that meet the window's rows at this output row, likewise columns below.
                int i0 = Math.max(0, top - r);
                int ni = Math.min(kh, top + rows - r) - i0;
                for (int q = 0; q < ow; q++) {
                    int j0 = Math.max(0, left - q);
                    int nj = Math.min(kw, left + cols - q) - j0;
                    int n = ni > 0 && nj > 0 ? c * ni * nj : 0;
                    int y = outOff + (r * ow + q) * lanes;
                    for (int v = 0; v < lanes; v += 2 * L) {
                        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
                        int at = xOff + ((r + i0) * wp + q + j0) * lanes + v;
                        int wt = i0 * kw + j0;
                        for (int t = 0, j = 0, i = 0; t < n; t++) {
                            FloatVector xa = FloatVector.fromArray(S, x, at);
                            FloatVector xb = FloatVector.fromArray(S, x, at + L);
                            FloatVector k = FloatVector.broadcast(S, w[w0 + wt]);
                            a0 = xa.fma(k, a0);
                            b0 = xb.fma(k, b0);
                            k = FloatVector.broadcast(S, w[w1 + wt]);
                            a1 = xa.fma(k, a1);
                            b1 = xb.fma(k, b1);
                            k = FloatVector.broadcast(S, w[w2 + wt]);
                            a2 = xa.fma(k, a2);
                            b2 = xb.fma(k, b2);
                            k = FloatVector.broadcast(S, w[w3 + wt]);
                            a3 = xa.fma(k, a3);
                            b3 = xb.fma(k, b3);
                            k = FloatVector.broadcast(S, w[w4 + wt]);
                            a4 = xa.fma(k, a4);
                            b4 = xb.fma(k, b4);
                            k = FloatVector.broadcast(S, w[w5 + wt]);
                            a5 = xa.fma(k, a5);
                            b5 = xb.fma(k, b5);
                            at += lanes;
                            wt++;
                            if (++j == nj) {
                                j = 0;
                                at += (wp - nj) * lanes;
                                wt += kw - nj;
                                if (++i == ni) {
                                    i = 0;
                                    at += (hp - ni) * wp * lanes;
                                    wt += (kh - ni) * kw;
                                }
                            }
                        }
                        int yv = y + v;
                        a0.intoArray(out, yv + c0 * plane);
                        b0.intoArray(out, yv + c0 * plane + L);
                        a1.intoArray(out, yv + c1 * plane);
                        b1.intoArray(out, yv + c1 * plane + L);
                        a2.intoArray(out, yv + c2 * plane);
                        b2.intoArray(out, yv + c2 * plane + L);
                        a3.intoArray(out, yv + c3 * plane);
                        b3.intoArray(out, yv + c3 * plane + L);
                        a4.intoArray(out, yv + c4 * plane);
                        b4.intoArray(out, yv + c4 * plane + L);
                        a5.intoArray(out, yv + c5 * plane);
                        b5.intoArray(out, yv + c5 * plane + L);
                    }
                }
            }
        }
    }

    /**
     * The weight gradient of {@link #convLanes} (see {@link Kernels#convLanesWeightGradient}): a tile of
     * 3 output channels x 4 taps, 12 vector accumulators over one flattened loop of the positions'
     * samples (7 loads per 12 FMAs), reduced across lanes at the end.
     */
    static void convLanesWeightGradient(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw,
                                        float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff) {
        if (lanes % L != 0) {
            ScalarKernels.INSTANCE.convLanesWeightGradient(c, hp, wp, lanes, x, xOff, o, kh, kw, dy, dyOff, oh, ow,
                    dw, dwOff);
            return;
        }
        int taps = c * kh * kw;
        int plane = oh * ow * lanes;
        int rowLength = ow * lanes;
        int rowSkip = (wp - ow) * lanes;
        for (int o0 = 0; o0 < o; o0 += 3) {
            int d0 = dyOff + o0 * plane;
            int d1 = dyOff + Math.min(o0 + 1, o - 1) * plane;
            int d2 = dyOff + Math.min(o0 + 2, o - 1) * plane;
            for (int t0 = 0; t0 < taps; t0 += 4) {
                int x0 = xOff + tapOffset(Math.min(t0, taps - 1), kh, kw, hp, wp, lanes);
                int x1 = xOff + tapOffset(Math.min(t0 + 1, taps - 1), kh, kw, hp, wp, lanes);
                int x2 = xOff + tapOffset(Math.min(t0 + 2, taps - 1), kh, kw, hp, wp, lanes);
                int x3 = xOff + tapOffset(Math.min(t0 + 3, taps - 1), kh, kw, hp, wp, lanes);
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                FloatVector e0 = a0, e1 = a0, e2 = a0, e3 = a0;
                // m walks dy's plane (contiguous); u walks the tap's input rows, skipping the padding columns.
                for (int m = 0, u = 0, inRow = 0; m < plane; m += L) {
                    FloatVector g0 = FloatVector.fromArray(S, dy, d0 + m);
                    FloatVector g1 = FloatVector.fromArray(S, dy, d1 + m);
                    FloatVector g2 = FloatVector.fromArray(S, dy, d2 + m);
                    FloatVector v = FloatVector.fromArray(S, x, x0 + u);
                    a0 = g0.fma(v, a0);
                    b0 = g1.fma(v, b0);
                    e0 = g2.fma(v, e0);
                    v = FloatVector.fromArray(S, x, x1 + u);
                    a1 = g0.fma(v, a1);
                    b1 = g1.fma(v, b1);
                    e1 = g2.fma(v, e1);
                    v = FloatVector.fromArray(S, x, x2 + u);
                    a2 = g0.fma(v, a2);
                    b2 = g1.fma(v, b2);
                    e2 = g2.fma(v, e2);
                    v = FloatVector.fromArray(S, x, x3 + u);
                    a3 = g0.fma(v, a3);
                    b3 = g1.fma(v, b3);
                    e3 = g2.fma(v, e3);
                    u += L;
                    inRow += L;
                    if (inRow == rowLength) {
                        inRow = 0;
                        u += rowSkip;
                    }
                }
                storeTap(dw, dwOff, taps, o, o0, t0, a0.reduceLanes(VectorOperators.ADD),
                        b0.reduceLanes(VectorOperators.ADD), e0.reduceLanes(VectorOperators.ADD));
                storeTap(dw, dwOff, taps, o, o0, t0 + 1, a1.reduceLanes(VectorOperators.ADD),
                        b1.reduceLanes(VectorOperators.ADD), e1.reduceLanes(VectorOperators.ADD));
                storeTap(dw, dwOff, taps, o, o0, t0 + 2, a2.reduceLanes(VectorOperators.ADD),
                        b2.reduceLanes(VectorOperators.ADD), e2.reduceLanes(VectorOperators.ADD));
                storeTap(dw, dwOff, taps, o, o0, t0 + 3, a3.reduceLanes(VectorOperators.ADD),
                        b3.reduceLanes(VectorOperators.ADD), e3.reduceLanes(VectorOperators.ADD));
            }
        }
    }

    /** Where tap t = (c, i, j) of a [C, HP, WP, lanes] input starts. */
    private static int tapOffset(int t, int kh, int kw, int hp, int wp, int lanes) {
        int ci = t / (kh * kw);
        int i = t / kw % kh;
        int j = t % kw;
        return ((ci * hp + i) * wp + j) * lanes;
    }

    /** Writes one tap's sums for the tile's output channels that exist (clamped duplicates are dropped). */
    private static void storeTap(float[] dw, int dwOff, int taps, int o, int o0, int t, float v0, float v1, float v2) {
        if (t >= taps) {
            return;
        }
        dw[dwOff + o0 * taps + t] = v0;
        if (o0 + 1 < o) {
            dw[dwOff + (o0 + 1) * taps + t] = v1;
        }
        if (o0 + 2 < o) {
            dw[dwOff + (o0 + 2) * taps + t] = v2;
        }
    }
}
