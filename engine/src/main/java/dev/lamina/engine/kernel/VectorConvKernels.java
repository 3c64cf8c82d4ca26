package dev.lamina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The convolution and pooling kernels of {@link VectorKernels}: strided accumulation (col2im), 2 x 2
 * max pooling, and direct valid convolution of padded samples with its weight gradient. Rows
 * narrower than a vector take the {@link ScalarKernels} loops. Stores of a row's last vector start
 * at the row's end minus a vector (overlapping the one before it, which then holds the same values)
 * instead of masked stores, which JDK 17 does not fully intrinsify. Only the preferred species is
 * used: a second species (Float256Vector beside Float512Vector) pollutes the type profiles of the
 * Vector API's shared methods, and C2 then stops intrinsifying them in every kernel (measured: the
 * GEMM micro-kernel allocated 500 MB per LeNet step).
 */
final class VectorConvKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> (2 * i) % L);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> (2 * i + 1) % L);
    /** 2 i mod L: the column of output lane i's window within a block of L input columns. */
    private static final float[] TWICE_IOTA = new float[L];
    private static final float[] IOTA = new float[L];
    /** Output channels per register tile of the direct convolution: 6 x 2 accumulators. */
    private static final int TILE = 6;

    static {
        for (int i = 0; i < L; i++) {
            TWICE_IOTA[i] = (2 * i) % L;
            IOTA[i] = i;
        }
    }

    private VectorConvKernels() {
    }

    /**
     * Rows of at least a vector run whole vectors; the rest of a row (or a row narrower than a vector)
     * is one vector read from y, added to in its first lanes and written back with the others' bits
     * unchanged, when that vector lies within the block's extent (whose other elements only this
     * call touches); otherwise scalar.
     */
    static void addBlock(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        int end = yOff + (rows - 1) * ldy + cols;
        int tail = cols % L;
        VectorMask<Float> first = FloatVector.fromArray(S, IOTA, 0).compare(VectorOperators.LT, (float) tail);
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * ldx;
            int yr = yOff + r * ldy;
            int c = 0;
            for (int bound = cols - tail; c < bound; c += L) {
                FloatVector.fromArray(S, x, xr + c).add(FloatVector.fromArray(S, y, yr + c)).intoArray(y, yr + c);
            }
            if (tail > 0 && yr + c + L <= end && xr + c + L <= x.length) {
                FloatVector old = FloatVector.fromArray(S, y, yr + c);
                old.blend(old.add(FloatVector.fromArray(S, x, xr + c)), first).intoArray(y, yr + c);
                continue;
            }
            for (; c < cols; c++) {
                y[yr + c] += x[xr + c];
            }
        }
    }

    /**
     * Vector blocks of L input columns give L/2 outputs; each block stores a whole vector whose upper
     * half is overwritten by the blocks after it (the next block of the row, or the next row), so the
     * call's last output row runs scalar and nothing past the call's output is written.
     */
    static void maxPool2x2(int planes, int h, int w, float[] x, int xOff, float[] y, int yOff, float[] argmax,
                           int argOff) {
        int oh = h / 2;
        int ow = w / 2;
        if (2 * ow < L) {
            ScalarKernels.INSTANCE.maxPool2x2(planes, h, w, x, xOff, y, yOff, argmax, argOff);
            return;
        }
        int half = L / 2;
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int at = 2 * oy * w;
                int top = xOff + p * h * w + at;
                int out = (p * oh + oy) * ow;
                if (p == planes - 1 && oy == oh - 1) {
                    // The two input rows as a plane of height 2: indexes from its first row, moved to the plane's.
                    ScalarKernels.INSTANCE.maxPool2x2(1, 2, w, x, top, y, yOff + out, argmax, argOff + out);
                    for (int i = argOff + out; i < argOff + out + ow; i++) {
                        argmax[i] += at;
                    }
                    continue;
                }
                for (int q = 0; ; q += half) {
                    int start = Math.min(q, ow - half);
                    window(x, top + 2 * start, w, at + 2 * start, y, yOff + out + start, argmax, argOff + out + start);
                    if (start == ow - half) {
                        break;
                    }
                }
            }
        }
    }

    /**
     * L/2 windows side by side: input columns [i, i + L) of the row at i and the row below. Each row's
     * pair is decided first (the right one wins when greater or NaN), then the lower pair's winner
     * against the upper's (likewise): the scalar order's result, the first maximum or the last NaN.
     * Writes L lanes at yo and ao, of which the first L/2 are the outputs.
     */
    private static void window(float[] x, int i, int w, int at, float[] y, int yo, float[] argmax, int ao) {
        FloatVector column = FloatVector.fromArray(S, TWICE_IOTA, 0).add((float) at);
        FloatVector t = FloatVector.fromArray(S, x, i);
        FloatVector te = t.rearrange(EVEN);
        FloatVector to = t.rearrange(ODD);
        VectorMask<Float> right = to.compare(VectorOperators.GT, te).or(to.compare(VectorOperators.NE, to));
        FloatVector upper = te.blend(to, right);
        FloatVector upperAt = column.blend(column.add(1f), right);
        FloatVector b = FloatVector.fromArray(S, x, i + w);
        FloatVector be = b.rearrange(EVEN);
        FloatVector bo = b.rearrange(ODD);
        VectorMask<Float> lowerRight = bo.compare(VectorOperators.GT, be).or(bo.compare(VectorOperators.NE, bo));
        FloatVector lower = be.blend(bo, lowerRight);
        FloatVector lowerAt = column.add((float) w).blend(column.add((float) (w + 1)), lowerRight);
        VectorMask<Float> down = lower.compare(VectorOperators.GT, upper).or(lower.compare(VectorOperators.NE, lower));
        upper.blend(lower, down).intoArray(y, yo);
        upperAt.blend(lowerAt, down).intoArray(argmax, ao);
    }

    static void convValid(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh, int kw,
                          float[] w, int wOff, int oh, int ow, float[] out, int outOff) {
        if (ow < L) {
            ScalarKernels.INSTANCE.convValid(samples, c, hp, wp, xp, xpOff, o, kh, kw, w, wOff, oh, ow, out, outOff);
            return;
        }
        int taps = c * kh * kw;
        int plane = oh * ow;
        for (int s = 0; s < samples; s++) {
            int xs = xpOff + s * c * hp * wp;
            for (int o0 = 0; o0 < o; o0 += TILE) {
                // A tile past the last channel repeats the last channel: same values, stored twice.
                int c0 = o0;
                int c1 = Math.min(o0 + 1, o - 1);
                int c2 = Math.min(o0 + 2, o - 1);
                int c3 = Math.min(o0 + 3, o - 1);
                int c4 = Math.min(o0 + 4, o - 1);
                int c5 = Math.min(o0 + 5, o - 1);
                int ys = outOff + s * o * plane;
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; ; q += 2 * L) {
                        int qa = Math.min(q, ow - L);
                        int qb = Math.min(q + L, ow - L);
                        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
                        // One loop over the taps (c, i, j), as a single loop keeps the 12 accumulators
                        // in registers on JDK 17 (nested loops made C2 box them).
                        int row = xs + r * wp;
                        for (int t = 0, j = 0, i = 0; t < taps; t++) {
                            FloatVector xa = FloatVector.fromArray(S, xp, row + qa + j);
                            FloatVector xb = FloatVector.fromArray(S, xp, row + qb + j);
                            FloatVector v = FloatVector.broadcast(S, w[wOff + c0 * taps + t]);
                            a0 = xa.fma(v, a0);
                            b0 = xb.fma(v, b0);
                            v = FloatVector.broadcast(S, w[wOff + c1 * taps + t]);
                            a1 = xa.fma(v, a1);
                            b1 = xb.fma(v, b1);
                            v = FloatVector.broadcast(S, w[wOff + c2 * taps + t]);
                            a2 = xa.fma(v, a2);
                            b2 = xb.fma(v, b2);
                            v = FloatVector.broadcast(S, w[wOff + c3 * taps + t]);
                            a3 = xa.fma(v, a3);
                            b3 = xb.fma(v, b3);
                            v = FloatVector.broadcast(S, w[wOff + c4 * taps + t]);
                            a4 = xa.fma(v, a4);
                            b4 = xb.fma(v, b4);
                            v = FloatVector.broadcast(S, w[wOff + c5 * taps + t]);
                            a5 = xa.fma(v, a5);
                            b5 = xb.fma(v, b5);
                            if (++j == kw) {
                                j = 0;
                                row += wp;
                                if (++i == kh) {
                                    // The next channel's plane: kh rows on from this one's first.
                                    i = 0;
                                    row += (hp - kh) * wp;
                                }
                            }
                        }
                        int y = ys + r * ow;
                        a0.intoArray(out, y + c0 * plane + qa);
                        b0.intoArray(out, y + c0 * plane + qb);
                        a1.intoArray(out, y + c1 * plane + qa);
                        b1.intoArray(out, y + c1 * plane + qb);
                        a2.intoArray(out, y + c2 * plane + qa);
                        b2.intoArray(out, y + c2 * plane + qb);
                        a3.intoArray(out, y + c3 * plane + qa);
                        b3.intoArray(out, y + c3 * plane + qb);
                        a4.intoArray(out, y + c4 * plane + qa);
                        b4.intoArray(out, y + c4 * plane + qb);
                        a5.intoArray(out, y + c5 * plane + qa);
                        b5.intoArray(out, y + c5 * plane + qb);
                        if (qb >= ow - L) {
                            break;
                        }
                    }
                }
            }
        }
    }

    static void convValidWeightGradient(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh,
                                        int kw, float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff) {
        if (ow < L) {
            ScalarKernels.INSTANCE.convValidWeightGradient(samples, c, hp, wp, xp, xpOff, o, kh, kw, dy, dyOff, oh, ow,
                    dw, dwOff);
            return;
        }
        int taps = c * kh * kw;
        int plane = oh * ow;
        int vectors = (ow + L - 1) / L;
        // The last vector of a row starts at OW - L; its first `overlap` lanes belong to the one before.
        int overlap = vectors * L - ow;
        int steps = oh * vectors;
        VectorMask<Float> fresh = FloatVector.fromArray(S, IOTA, 0).compare(VectorOperators.GE, (float) overlap);
        for (int s = 0; s < samples; s++) {
            int xs = xpOff + s * c * hp * wp;
            int ys = dyOff + s * o * plane;
            int o0 = 0;
            for (; o0 + TILE <= o; o0 += TILE) {
                for (int ci = 0; ci < c; ci++) {
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                            // One loop over (row, vector) pairs: see convValid.
                            int row = xs + (ci * hp + i) * wp + j;
                            int g = ys + o0 * plane;
                            for (int n = 0, v = 0; n < steps; n++) {
                                int q = Math.min(v * L, ow - L);
                                FloatVector xv = FloatVector.fromArray(S, xp, row + q);
                                if (v == vectors - 1) {
                                    xv = FloatVector.zero(S).blend(xv, fresh);
                                }
                                a0 = FloatVector.fromArray(S, dy, g + q).fma(xv, a0);
                                a1 = FloatVector.fromArray(S, dy, g + plane + q).fma(xv, a1);
                                a2 = FloatVector.fromArray(S, dy, g + 2 * plane + q).fma(xv, a2);
                                a3 = FloatVector.fromArray(S, dy, g + 3 * plane + q).fma(xv, a3);
                                a4 = FloatVector.fromArray(S, dy, g + 4 * plane + q).fma(xv, a4);
                                a5 = FloatVector.fromArray(S, dy, g + 5 * plane + q).fma(xv, a5);
                                if (++v == vectors) {
                                    v = 0;
                                    row += wp;
                                    g += ow;
                                }
                            }
                            int t = dwOff + o0 * taps + (ci * kh + i) * kw + j;
                            dw[t] += a0.reduceLanes(VectorOperators.ADD);
                            dw[t + taps] += a1.reduceLanes(VectorOperators.ADD);
                            dw[t + 2 * taps] += a2.reduceLanes(VectorOperators.ADD);
                            dw[t + 3 * taps] += a3.reduceLanes(VectorOperators.ADD);
                            dw[t + 4 * taps] += a4.reduceLanes(VectorOperators.ADD);
                            dw[t + 5 * taps] += a5.reduceLanes(VectorOperators.ADD);
                        }
                    }
                }
            }
            for (; o0 < o; o0++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            FloatVector acc = FloatVector.zero(S);
                            int row = xs + (ci * hp + i) * wp + j;
                            int g = ys + o0 * plane;
                            for (int n = 0, v = 0; n < steps; n++) {
                                int q = Math.min(v * L, ow - L);
                                FloatVector xv = FloatVector.fromArray(S, xp, row + q);
                                if (v == vectors - 1) {
                                    xv = FloatVector.zero(S).blend(xv, fresh);
                                }
                                acc = FloatVector.fromArray(S, dy, g + q).fma(xv, acc);
                                if (++v == vectors) {
                                    v = 0;
                                    row += wp;
                                    g += ow;
                                }
                            }
                            dw[dwOff + o0 * taps + (ci * kh + i) * kw + j] += acc.reduceLanes(VectorOperators.ADD);
                        }
                    }
                }
            }
        }
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
