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
    private static final float[] IOTA = new float[L];
    /**
     * EVENS[k] = 2 k and ODDS[k] = 2 k + 1, so L lanes read from one of them at v / 2 hold the flat
     * indexes v, v + 2, ... of a row's L/2 windows: max pooling's argmax without vector arithmetic.
     * Grown (never shrunk) for the largest plane seen; a call reads the pair once.
     */
    private static volatile float[][] strides = strideTables(0);
    /** Output channels per register tile of the direct convolution: 6 x 2 accumulators. */
    private static final int TILE = 6;

    static {
        for (int i = 0; i < L; i++) {
            IOTA[i] = i;
        }
    }

    /** Table length covering every index of a plane of planeSize elements. */
    private static int tableLength(int planeSize) {
        return planeSize / 2 + L + 1;
    }

    private static float[][] strideTables(int planeSize) {
        int n = tableLength(planeSize);
        float[] evens = new float[n];
        float[] odds = new float[n];
        for (int k = 0; k < n; k++) {
            evens[k] = 2 * k;
            odds[k] = 2 * k + 1;
        }
        return new float[][] {evens, odds};
    }

    /** Tables covering every index of a plane of planeSize elements (at most 2^24, float's exact range). */
    private static float[][] strides(int planeSize) {
        float[][] t = strides;
        if (t[0].length < tableLength(planeSize)) {
            synchronized (VectorConvKernels.class) {
                t = strides;
                if (t[0].length < tableLength(planeSize)) {
                    // room for planes up to twice this one: growing planes reallocate a few times only
                    t = strideTables(2 * planeSize);
                    strides = t;
                }
            }
        }
        return t;
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
        float[][] t = strides(h * w);
        float[] evens = t[0];
        float[] odds = t[1];
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
                    window(x, top + 2 * start, w, at + 2 * start, y, yOff + out + start, argmax, argOff + out + start,
                            evens, odds);
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
     * Writes L lanes at yo and ao, of which the first L/2 are the outputs. The argmax indexes come from
     * the stride tables rather than from adding to an index vector: on JDK 17 every inlined
     * {@code FloatVector.add} brings the class-check traps recorded in the shared lanewise template
     * (its fallback lambdas differ per operator) into this method's compilation, and two threads
     * deoptimizing at once could push the total past -XX:PerMethodTrapLimit (100). C2 then stopped
     * trusting the vectors' exact types and boxed every vector of this method (measured: 2.7-5.8 MB
     * per LeNet step in 5 of 9 two-thread runs with four adds here; none in 17 runs without them).
     */
    private static void window(float[] x, int i, int w, int at, float[] y, int yo, float[] argmax, int ao,
                               float[] evens, float[] odds) {
        FloatVector t = FloatVector.fromArray(S, x, i);
        FloatVector te = t.rearrange(EVEN);
        FloatVector to = t.rearrange(ODD);
        VectorMask<Float> right = to.compare(VectorOperators.GT, te).or(to.compare(VectorOperators.NE, to));
        FloatVector upper = te.blend(to, right);
        // at is even: the upper row's indexes are at + 2 j and at + 2 j + 1.
        FloatVector upperAt = FloatVector.fromArray(S, evens, at >> 1)
                .blend(FloatVector.fromArray(S, odds, at >> 1), right);
        FloatVector b = FloatVector.fromArray(S, x, i + w);
        FloatVector be = b.rearrange(EVEN);
        FloatVector bo = b.rearrange(ODD);
        VectorMask<Float> lowerRight = bo.compare(VectorOperators.GT, be).or(bo.compare(VectorOperators.NE, bo));
        FloatVector lower = be.blend(bo, lowerRight);
        int v = at + w;
        FloatVector lowerAt = FloatVector.fromArray(S, (v & 1) == 0 ? evens : odds, v >> 1)
                .blend(FloatVector.fromArray(S, (v & 1) == 0 ? odds : evens, (v + 1) >> 1), lowerRight);
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
                int t = 0;
                // Two taps at a time (any two: each has its own input offset): 8 loads per 12 FMAs
                // instead of 7 per 6.
                for (; t + 1 < taps; t += 2) {
                    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                    FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
                    // One loop over (row, vector) pairs: see convValid.
                    int first = tapOffset(t, kh, kw, hp, wp);
                    int row = xs + first;
                    int shift = tapOffset(t + 1, kh, kw, hp, wp) - first;
                    int g = ys + o0 * plane;
                    for (int n = 0, v = 0; n < steps; n++) {
                        int q = Math.min(v * L, ow - L);
                        FloatVector xv = FloatVector.fromArray(S, xp, row + q);
                        FloatVector xw = FloatVector.fromArray(S, xp, row + shift + q);
                        if (v == vectors - 1) {
                            xv = FloatVector.zero(S).blend(xv, fresh);
                            xw = FloatVector.zero(S).blend(xw, fresh);
                        }
                        FloatVector d = FloatVector.fromArray(S, dy, g + q);
                        a0 = d.fma(xv, a0);
                        b0 = d.fma(xw, b0);
                        d = FloatVector.fromArray(S, dy, g + plane + q);
                        a1 = d.fma(xv, a1);
                        b1 = d.fma(xw, b1);
                        d = FloatVector.fromArray(S, dy, g + 2 * plane + q);
                        a2 = d.fma(xv, a2);
                        b2 = d.fma(xw, b2);
                        d = FloatVector.fromArray(S, dy, g + 3 * plane + q);
                        a3 = d.fma(xv, a3);
                        b3 = d.fma(xw, b3);
                        d = FloatVector.fromArray(S, dy, g + 4 * plane + q);
                        a4 = d.fma(xv, a4);
                        b4 = d.fma(xw, b4);
                        d = FloatVector.fromArray(S, dy, g + 5 * plane + q);
                        a5 = d.fma(xv, a5);
                        b5 = d.fma(xw, b5);
                        if (++v == vectors) {
                            v = 0;
                            row += wp;
                            g += ow;
                        }
                    }
                    int at = dwOff + o0 * taps + t;
                    dw[at] += a0.reduceLanes(VectorOperators.ADD);
                    dw[at + 1] += b0.reduceLanes(VectorOperators.ADD);
                    dw[at + taps] += a1.reduceLanes(VectorOperators.ADD);
                    dw[at + taps + 1] += b1.reduceLanes(VectorOperators.ADD);
                    dw[at + 2 * taps] += a2.reduceLanes(VectorOperators.ADD);
                    dw[at + 2 * taps + 1] += b2.reduceLanes(VectorOperators.ADD);
                    dw[at + 3 * taps] += a3.reduceLanes(VectorOperators.ADD);
                    dw[at + 3 * taps + 1] += b3.reduceLanes(VectorOperators.ADD);
                    dw[at + 4 * taps] += a4.reduceLanes(VectorOperators.ADD);
                    dw[at + 4 * taps + 1] += b4.reduceLanes(VectorOperators.ADD);
                    dw[at + 5 * taps] += a5.reduceLanes(VectorOperators.ADD);
                    dw[at + 5 * taps + 1] += b5.reduceLanes(VectorOperators.ADD);
                }
                if (t < taps) {
                    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                    int row = xs + tapOffset(t, kh, kw, hp, wp);
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
                    int at = dwOff + o0 * taps + t;
                    dw[at] += a0.reduceLanes(VectorOperators.ADD);
                    dw[at + taps] += a1.reduceLanes(VectorOperators.ADD);
                    dw[at + 2 * taps] += a2.reduceLanes(VectorOperators.ADD);
                    dw[at + 3 * taps] += a3.reduceLanes(VectorOperators.ADD);
                    dw[at + 4 * taps] += a4.reduceLanes(VectorOperators.ADD);
                    dw[at + 5 * taps] += a5.reduceLanes(VectorOperators.ADD);
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

    /** Where tap t = (c, i, j) of a sample's [C, HP, WP] input starts, relative to the sample. */
    private static int tapOffset(int t, int kh, int kw, int hp, int wp) {
        return ((t / (kh * kw)) * hp + t / kw % kh) * wp + t % kw;
    }
}
