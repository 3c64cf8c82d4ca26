package dev.lamina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One attention head ({@link Kernels#attentionHead} and its backward) in direct register tiles, for
 * heads of a multiple of L channels. Going through {@link VectorGemm} per head (64 x 64 x 32 products
 * in the char Transformer) spent the time in calls, packing, merges and row reductions: about 8 us per
 * head forward and 9 us backward, for about 1 us of multiply-adds each.
 *
 * <p>The scores are computed transposed, key-major, so that a vector holds 2L queries' scores for one
 * key: the softmax's maximum and sum over keys, and backward's row sums of dP P, are lane-wise maxima and
 * sums over vectors, with no reduction across lanes (two per row, about 80 ns a row, made the row-major
 * softmax the larger part of the head). Causal masking is a lane-wise min with a precomputed row of
 * {@link #PAD} and +Inf, then a multiply by 0 or 1.
 *
 * <p>Every product is a {@link #tile2} (or {@link #tile1}): 4 rows by 2 (or 1) vectors of columns,
 * out = alpha * X Y over a short K, where X is read a scalar at a time through four row bases and a
 * column stride (so it may be a transposed view), and Y a row of vectors at a time. A last row block of
 * fewer than 4 repeats its last row: the repeat computes and stores the same values again. Q (or, in
 * backward, g) is transposed into a per-thread [d, T'] buffer, T' = T rounded up to 2L, so a tile's
 * stores never reach past a row. Causal heads skip the keys no query of a block sees.
 *
 * <p>Where X's stride is 1 or W ({@link #tile2Unit}, {@link #tile2W}), its index is the loop counter
 * times a constant, and C2 takes the four bound checks per step out of the loop (they stay for a stride
 * held in a variable, as in {@link #tile2}); the three loops differ only there, on purpose. With those,
 * the transposes four rows at a time and the softmax storing P^T straight into probs, one causal layer
 * of the char Transformer bench (32 x 4 heads, T 64, d 32) ran forward 1.20x and 1.27x, backward 1.07x
 * and 1.14x faster than before on AVX2 (old and new code in one JVM, interleaved, two runs), with the
 * same bits out.
 *
 * <p>No vector crosses a call (see {@link VectorMath} on why): the tiles take arrays and indices and
 * store their results.
 */
final class VectorAttention {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Rows per tile. */
    private static final int ROWS = 4;
    /** Columns per wide tile, and queries per block. */
    private static final int W = 2 * L;
    /** A score that stands for "not seen": it changes no maximum, and its exp is the exp's floor (1.2e-38). */
    private static final float PAD = -1e30f;
    private static final FloatVector ZERO = FloatVector.zero(SPECIES);
    /**
     * Row m (for 1 <= m < W) of a query block's causal masks: LIMIT[m W + l] = PAD for lanes l < m, else
     * +Inf; key c0 + m is seen by the block's queries c0 + l with l >= m. KEEP holds 0 and 1 likewise.
     */
    private static final float[] LIMIT = new float[W * W];
    private static final float[] KEEP = new float[W * W];

    static {
        for (int m = 0; m < W; m++) {
            for (int l = 0; l < W; l++) {
                LIMIT[m * W + l] = l < m ? PAD : Float.POSITIVE_INFINITY;
                KEEP[m * W + l] = l < m ? 0f : 1f;
            }
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Per-thread buffers, grown to the largest head seen (so steady-state calls allocate nothing). */
    private static final class Workspace {
        /** [d, T']: Q^T (forward) or g^T (backward), zero past column T. */
        float[] transposed = new float[0];
        /** Forward: one query block's scores, then P, key-major [T, W]. Backward: dP^T, then dS^T, [T, T']. */
        float[] scores = new float[0];
        /** Backward: a query block's P^T [T, W] when the block is cut off by T (its rows are shorter than W). */
        float[] edge = new float[0];

        void ensure(int t, int tp, int d) {
            if (transposed.length < d * tp) {
                transposed = new float[d * tp];
            }
            if (scores.length < t * tp) {
                scores = new float[t * tp];
                edge = new float[t * W];
            }
        }
    }

    private VectorAttention() {
    }

    /** True when the head size is a whole number of vectors, which these tiles need. */
    static boolean suits(int d) {
        return d >= L && d % L == 0;
    }

    /** This thread's workspace, sized for the head, with the rows [0, t) of d floats at src[off + t ld] transposed in. */
    private static Workspace workspace(int t, int tp, int d, float[] src, int off, int ld) {
        Workspace w = WORKSPACE.get();
        w.ensure(t, tp, d);
        transpose(t, d, src, off, ld, w.transposed, tp);
        return w;
    }

    /** {@link Kernels#attentionHead} for {@link #suits} head sizes. */
    static void forward(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff, int vOff, int ldx,
                        float[] probs, int pOff, float[] out, int outOff, int ldo) {
        assert suits(d) && t >= 1;
        int tp = (t + W - 1) / W * W;
        Workspace w = workspace(t, tp, d, x, qOff, ldx);
        float[] qt = w.transposed;
        float[] s = w.scores;
        for (int c0 = 0; c0 < t; c0 += W) {
            int queries = Math.min(W, t - c0);
            int keys = causal ? Math.min(t, c0 + W) : t;
            // S^T[j, c0 + l] = scale K_j . Q_(c0 + l), rows j < keys
            keyMajorProduct(keys, d, x, kOff, ldx, qt, c0, tp, scale, s, 0, W);
            if (queries == W) {
                // a whole block: the softmax's last pass stores P^T into probs as well
                softmaxColumns(keys, causal ? c0 : -1, s, probs, pOff + c0, t);
                for (int j = keys; j < t; j++) {
                    ZERO.intoArray(probs, pOff + j * t + c0);
                    ZERO.intoArray(probs, pOff + j * t + c0 + L);
                }
            } else {
                softmaxColumns(keys, causal ? c0 : -1, s, s, 0, W);
                for (int j = 0; j < keys; j++) {
                    System.arraycopy(s, j * W, probs, pOff + j * t + c0, queries);
                }
                for (int j = keys; j < t; j++) {
                    Arrays.fill(probs, pOff + j * t + c0, pOff + j * t + c0 + queries, 0f);
                }
            }
            // out_q = sum over keys j of P^T[j, q] V_j
            for (int q0 = c0; q0 < c0 + queries; q0 += ROWS) {
                int last = Math.min(q0 + ROWS, c0 + queries) - 1;
                int r1 = Math.min(q0 + 1, last);
                int r2 = Math.min(q0 + 2, last);
                int kc = causal ? last + 1 : t;
                product(kc, d, s, q0 - c0, r1 - c0, r2 - c0, last - c0, W, x, vOff, ldx, 1f,
                        out, outOff + q0 * ldo, outOff + r1 * ldo, outOff + r2 * ldo, outOff + last * ldo);
            }
        }
    }

    /**
     * dst[j lds + col + l] = alpha * rows[j] . yt[:, c0 + l] for keys j < keys and l < W: rows[j] the d
     * floats at x[off + j ldx], yt [d, tp] a transposed operand (Q^T, or g^T in backward).
     */
    private static void keyMajorProduct(int keys, int d, float[] x, int off, int ldx, float[] yt, int c0, int tp,
                                        float alpha, float[] dst, int col, int lds) {
        for (int j0 = 0; j0 < keys; j0 += ROWS) {
            int last = Math.min(j0 + ROWS, keys) - 1;
            int r1 = Math.min(j0 + 1, last);
            int r2 = Math.min(j0 + 2, last);
            tile2Unit(d, x, off + j0 * ldx, off + r1 * ldx, off + r2 * ldx, off + last * ldx, yt, c0, tp, alpha,
                    dst, j0 * lds + col, r1 * lds + col, r2 * lds + col, last * lds + col);
        }
    }

    /**
     * The softmax over keys of a query block's scores s [keys, W] (key-major), in place, its result row j
     * also stored at copy[copyOff + j ldc] (forward's probs: a whole block then needs no copying pass,
     * which called System.arraycopy per row). When
     * {@code diagonal} >= 0 the block starts at query {@code diagonal} of a causal head: key j > diagonal is
     * hidden from the lanes l < j - diagonal.
     */
    private static void softmaxColumns(int keys, int diagonal, float[] s, float[] copy, int copyOff, int ldc) {
        int maskFrom = diagonal < 0 ? keys : diagonal + 1;
        for (int j = maskFrom; j < keys; j++) {
            int m = (j - diagonal) * W;
            FloatVector.fromArray(SPECIES, s, j * W).min(FloatVector.fromArray(SPECIES, LIMIT, m)).intoArray(s, j * W);
            FloatVector.fromArray(SPECIES, s, j * W + L).min(FloatVector.fromArray(SPECIES, LIMIT, m + L))
                    .intoArray(s, j * W + L);
        }
        FloatVector m0 = FloatVector.fromArray(SPECIES, s, 0);
        FloatVector m1 = FloatVector.fromArray(SPECIES, s, L);
        for (int j = 1; j < keys; j++) {
            m0 = m0.max(FloatVector.fromArray(SPECIES, s, j * W));
            m1 = m1.max(FloatVector.fromArray(SPECIES, s, j * W + L));
        }
        for (int j = 0; j < keys; j++) {
            FloatVector.fromArray(SPECIES, s, j * W).sub(m0).intoArray(s, j * W);
            FloatVector.fromArray(SPECIES, s, j * W + L).sub(m1).intoArray(s, j * W + L);
        }
        VectorMath.expInPlace(s, 0, keys * W);
        FloatVector a0 = FloatVector.fromArray(SPECIES, s, 0);
        FloatVector a1 = FloatVector.fromArray(SPECIES, s, L);
        for (int j = 1; j < keys; j++) {
            a0 = a0.add(FloatVector.fromArray(SPECIES, s, j * W));
            a1 = a1.add(FloatVector.fromArray(SPECIES, s, j * W + L));
        }
        FloatVector inv0 = FloatVector.broadcast(SPECIES, 1f).div(a0);
        FloatVector inv1 = FloatVector.broadcast(SPECIES, 1f).div(a1);
        for (int j = 0; j < maskFrom; j++) {
            FloatVector p0 = FloatVector.fromArray(SPECIES, s, j * W).mul(inv0);
            FloatVector p1 = FloatVector.fromArray(SPECIES, s, j * W + L).mul(inv1);
            p0.intoArray(s, j * W);
            p1.intoArray(s, j * W + L);
            p0.intoArray(copy, copyOff + j * ldc);
            p1.intoArray(copy, copyOff + j * ldc + L);
        }
        // hidden entries hold e^PAD; times 0 before the scaling (1.2e-38 / sum would be subnormal, and a
        // subnormal result costs a microcode assist per lane)
        for (int j = maskFrom; j < keys; j++) {
            int m = (j - diagonal) * W;
            FloatVector p0 = FloatVector.fromArray(SPECIES, s, j * W).mul(FloatVector.fromArray(SPECIES, KEEP, m)).mul(inv0);
            FloatVector p1 = FloatVector.fromArray(SPECIES, s, j * W + L).mul(FloatVector.fromArray(SPECIES, KEEP, m + L))
                    .mul(inv1);
            p0.intoArray(s, j * W);
            p1.intoArray(s, j * W + L);
            p0.intoArray(copy, copyOff + j * ldc);
            p1.intoArray(copy, copyOff + j * ldc + L);
        }
    }

    /** {@link Kernels#attentionHeadBackward} for {@link #suits} head sizes (its ds is not used). */
    static void backward(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff, int vOff, int ldx,
                         float[] probs, int pOff, float[] g, int gOff, int ldg, float[] dx, int dqOff, int dkOff,
                         int dvOff, int ldd) {
        assert suits(d) && t >= 1;
        int tp = (t + W - 1) / W * W;
        Workspace w = workspace(t, tp, d, g, gOff, ldg);
        float[] gt = w.transposed;
        float[] s = w.scores;
        for (int c0 = 0; c0 < t; c0 += W) {
            int queries = Math.min(W, t - c0);
            int keys = causal ? Math.min(t, c0 + W) : t;
            // dP^T[j, c0 + l] = V_j . g_(c0 + l)
            keyMajorProduct(keys, d, x, vOff, ldx, gt, c0, tp, 1f, s, c0, tp);
            float[] p = probs;
            int pBase = pOff + c0;
            int ldp = t;
            if (queries < W) {
                p = w.edge;
                pBase = 0;
                ldp = W;
                for (int j = 0; j < keys; j++) {
                    System.arraycopy(probs, pOff + j * t + c0, p, j * W, queries);
                    Arrays.fill(p, j * W + queries, (j + 1) * W, 0f);
                }
            }
            softmaxGradientColumns(keys, scale, s, c0, tp, p, pBase, ldp);
            // dQ_q = sum over keys j of dS^T[j, q] K_j (dS carries the scale)
            for (int q0 = c0; q0 < c0 + queries; q0 += ROWS) {
                int last = Math.min(q0 + ROWS, c0 + queries) - 1;
                int r1 = Math.min(q0 + 1, last);
                int r2 = Math.min(q0 + 2, last);
                int kc = causal ? last + 1 : t;
                product(kc, d, s, q0, r1, r2, last, tp, x, kOff, ldx, 1f,
                        dx, dqOff + q0 * ldd, dqOff + r1 * ldd, dqOff + r2 * ldd, dqOff + last * ldd);
            }
        }
        for (int j0 = 0; j0 < t; j0 += ROWS) {
            int last = Math.min(j0 + ROWS, t) - 1;
            int r1 = Math.min(j0 + 1, last);
            int r2 = Math.min(j0 + 2, last);
            // causal: key j is seen by queries q >= j only (dS^T and P^T are 0 before that)
            int start = causal ? j0 : 0;
            // dK_j = sum over queries q of dS^T[j, q] Q_q; dV_j = sum over q of P^T[j, q] g_q
            product(t - start, d, s, j0 * tp + start, r1 * tp + start, r2 * tp + start, last * tp + start, 1, x,
                    qOff + start * ldx, ldx, 1f, dx, dkOff + j0 * ldd, dkOff + r1 * ldd, dkOff + r2 * ldd,
                    dkOff + last * ldd);
            product(t - start, d, probs, pOff + j0 * t + start, pOff + r1 * t + start, pOff + r2 * t + start,
                    pOff + last * t + start, 1, g, gOff + start * ldg, ldg, 1f, dx, dvOff + j0 * ldd, dvOff + r1 * ldd,
                    dvOff + r2 * ldd, dvOff + last * ldd);
        }
    }

    /**
     * dP^T into dS^T in place for one query block, lane-wise: with rowDot[l] = sum over keys j of
     * dP^T[j, l] P^T[j, l], s[j, l] = (s[j, l] - rowDot[l]) P^T[j, l] scale, for rows j < keys of s
     * (stride tp, from column c0) and P^T (p[pBase + j ldp + l]).
     */
    private static void softmaxGradientColumns(int keys, float scale, float[] s, int c0, int tp, float[] p, int pBase,
                                               int ldp) {
        FloatVector d0 = FloatVector.zero(SPECIES);
        FloatVector d1 = d0;
        for (int j = 0; j < keys; j++) {
            d0 = FloatVector.fromArray(SPECIES, s, j * tp + c0).fma(FloatVector.fromArray(SPECIES, p, pBase + j * ldp), d0);
            d1 = FloatVector.fromArray(SPECIES, s, j * tp + c0 + L)
                    .fma(FloatVector.fromArray(SPECIES, p, pBase + j * ldp + L), d1);
        }
        for (int j = 0; j < keys; j++) {
            int at = j * tp + c0;
            int pa = pBase + j * ldp;
            FloatVector.fromArray(SPECIES, s, at).sub(d0).mul(FloatVector.fromArray(SPECIES, p, pa)).mul(scale)
                    .intoArray(s, at);
            FloatVector.fromArray(SPECIES, s, at + L).sub(d1).mul(FloatVector.fromArray(SPECIES, p, pa + L)).mul(scale)
                    .intoArray(s, at + L);
        }
    }

    /**
     * Rows dst0..dst3 [0, d) = alpha * X Y over kc, X[r, p] = x[xr + p*cs] for the four row bases, Y's
     * row p the d floats at y[yOff + p*ldy]; in wide tiles, and a narrow one for an odd vector count.
     */
    private static void product(int kc, int d, float[] x, int x0, int x1, int x2, int x3, int cs, float[] y, int yOff,
                                int ldy, float alpha, float[] dst, int d0, int d1, int d2, int d3) {
        int c0 = 0;
        for (; c0 + W <= d; c0 += W) {
            if (cs == 1) {
                tile2Unit(kc, x, x0, x1, x2, x3, y, yOff + c0, ldy, alpha, dst, d0 + c0, d1 + c0, d2 + c0, d3 + c0);
            } else if (cs == W) {
                tile2W(kc, x, x0, x1, x2, x3, y, yOff + c0, ldy, alpha, dst, d0 + c0, d1 + c0, d2 + c0, d3 + c0);
            } else {
                tile2(kc, x, x0, x1, x2, x3, cs, y, yOff + c0, ldy, alpha, dst, d0 + c0, d1 + c0, d2 + c0, d3 + c0);
            }
        }
        if (c0 < d) {
            tile1(kc, x, x0, x1, x2, x3, cs, y, yOff + c0, ldy, alpha, dst, d0 + c0, d1 + c0, d2 + c0, d3 + c0);
        }
    }

    /**
     * dst[p*tp + j] = src[off + j*ld + p] for j < t, p < d, and 0 for j in [t, tp). Four source rows at a
     * time, so each step writes 4 adjacent floats (a row at a time wrote one float per 64-byte line).
     */
    private static void transpose(int t, int d, float[] src, int off, int ld, float[] dst, int tp) {
        int j = 0;
        for (; j + 4 <= t; j += 4) {
            int f0 = off + j * ld, f1 = f0 + ld, f2 = f1 + ld, f3 = f2 + ld;
            for (int p = 0, to = j; p < d; p++, to += tp) {
                dst[to] = src[f0 + p];
                dst[to + 1] = src[f1 + p];
                dst[to + 2] = src[f2 + p];
                dst[to + 3] = src[f3 + p];
            }
        }
        for (; j < t; j++) {
            int from = off + j * ld;
            for (int p = 0, to = j; p < d; p++, to += tp) {
                dst[to] = src[from + p];
            }
        }
        for (int p = 0; p < d; p++) {
            Arrays.fill(dst, p * tp + t, (p + 1) * tp, 0f);
        }
    }

    /**
     * dst[dr + c] = alpha * sum over p < kc of x[xr + p*cs] * y[yIdx + p*ldy + c] for c in [0, 2L), for
     * the four rows (xr, dr) = (x0, d0) ... (x3, d3).
     */
    private static void tile2(int kc, float[] x, int x0, int x1, int x2, int x3, int cs, float[] y, int yIdx, int ldy,
                              float alpha, float[] dst, int d0, int d1, int d2, int d3) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0, xi = 0, yi = yIdx; p < kc; p++, xi += cs, yi += ldy) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, y, yi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, y, yi + L);
            FloatVector a = FloatVector.broadcast(SPECIES, x[x0 + xi]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SPECIES, x[x1 + xi]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SPECIES, x[x2 + xi]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SPECIES, x[x3 + xi]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.mul(alpha).intoArray(dst, d0);
        c01.mul(alpha).intoArray(dst, d0 + L);
        c10.mul(alpha).intoArray(dst, d1);
        c11.mul(alpha).intoArray(dst, d1 + L);
        c20.mul(alpha).intoArray(dst, d2);
        c21.mul(alpha).intoArray(dst, d2 + L);
        c30.mul(alpha).intoArray(dst, d3);
        c31.mul(alpha).intoArray(dst, d3 + L);
    }

    /** {@link #tile2} with cs == 1: X's index is p plus a row base, which C2's range check elimination takes out of the loop. */
    private static void tile2Unit(int kc, float[] x, int x0, int x1, int x2, int x3, float[] y, int yIdx, int ldy,
                                  float alpha, float[] dst, int d0, int d1, int d2, int d3) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0, yi = yIdx; p < kc; p++, yi += ldy) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, y, yi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, y, yi + L);
            FloatVector a = FloatVector.broadcast(SPECIES, x[x0 + p]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SPECIES, x[x1 + p]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SPECIES, x[x2 + p]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SPECIES, x[x3 + p]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.mul(alpha).intoArray(dst, d0);
        c01.mul(alpha).intoArray(dst, d0 + L);
        c10.mul(alpha).intoArray(dst, d1);
        c11.mul(alpha).intoArray(dst, d1 + L);
        c20.mul(alpha).intoArray(dst, d2);
        c21.mul(alpha).intoArray(dst, d2 + L);
        c30.mul(alpha).intoArray(dst, d3);
        c31.mul(alpha).intoArray(dst, d3 + L);
    }

    /** {@link #tile2} with cs == W, a constant: X's index is a row base plus p W. */
    private static void tile2W(int kc, float[] x, int x0, int x1, int x2, int x3, float[] y, int yIdx, int ldy,
                               float alpha, float[] dst, int d0, int d1, int d2, int d3) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0, yi = yIdx; p < kc; p++, yi += ldy) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, y, yi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, y, yi + L);
            int xi = p * W;
            FloatVector a = FloatVector.broadcast(SPECIES, x[x0 + xi]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SPECIES, x[x1 + xi]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SPECIES, x[x2 + xi]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SPECIES, x[x3 + xi]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.mul(alpha).intoArray(dst, d0);
        c01.mul(alpha).intoArray(dst, d0 + L);
        c10.mul(alpha).intoArray(dst, d1);
        c11.mul(alpha).intoArray(dst, d1 + L);
        c20.mul(alpha).intoArray(dst, d2);
        c21.mul(alpha).intoArray(dst, d2 + L);
        c30.mul(alpha).intoArray(dst, d3);
        c31.mul(alpha).intoArray(dst, d3 + L);
    }

    /** {@link #tile2} for one vector of columns. */
    private static void tile1(int kc, float[] x, int x0, int x1, int x2, int x3, int cs, float[] y, int yIdx, int ldy,
                              float alpha, float[] dst, int d0, int d1, int d2, int d3) {
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0, xi = 0, yi = yIdx; p < kc; p++, xi += cs, yi += ldy) {
            FloatVector b = FloatVector.fromArray(SPECIES, y, yi);
            c0 = FloatVector.broadcast(SPECIES, x[x0 + xi]).fma(b, c0);
            c1 = FloatVector.broadcast(SPECIES, x[x1 + xi]).fma(b, c1);
            c2 = FloatVector.broadcast(SPECIES, x[x2 + xi]).fma(b, c2);
            c3 = FloatVector.broadcast(SPECIES, x[x3 + xi]).fma(b, c3);
        }
        c0.mul(alpha).intoArray(dst, d0);
        c1.mul(alpha).intoArray(dst, d1);
        c2.mul(alpha).intoArray(dst, d2);
        c3.mul(alpha).intoArray(dst, d3);
    }
}
