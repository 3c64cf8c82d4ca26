package dev.lamina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-blocked SGEMM on the Vector API: C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] +
 * beta * C, row-major, with the semantics of {@link Kernels#gemm}.
 *
 * <p>Internally every call becomes C'[M',N'] = alpha * X[M',K] * Y[K,N'] + beta * C', where X is
 * the <em>broadcast</em> operand, read through a row and a column stride (in place, or packed into
 * MR-row panels when that pays: see {@link #packsX}), and Y is the <em>vector</em> operand, packed
 * into NR-wide panels. Normally X = op(A), Y = op(B), C' = C. For
 * A * B^T and A^T * B^T the roles can swap: C^T = op(B)^T * op(A)^T, so X = op(B)^T is B read in
 * place and only the (usually smaller) A is packed, at the price of writing C transposed. The
 * cheaper form is chosen per call from the number of elements each must shuffle.
 *
 * <p>Blocking, outermost first (the GotoBLAS/BLIS loop nest):
 * <ol>
 *   <li>columns of C' in blocks of {@link #NC}; a packed Y block [KC, NC] is read from L2 or L3,
 *       one NR-wide panel at a time;</li>
 *   <li>K in blocks of {@link #KC}; the first block applies beta, later ones accumulate;</li>
 *   <li>rows of C' in blocks of {@link #MC}, whose rows of X stay in L2;</li>
 *   <li>the macrokernel walks NR-wide Y panels (one [KC, NR] panel in L1) and, inside, MR-row
 *       panels of X;</li>
 *   <li>the microkernel keeps an MR x NR tile of C' in MR * 2 vector registers (16 at 512 bits, 12
 *       with 256-bit AVX2): per step of K it loads 2 vectors of Y, broadcasts MR values of X and
 *       issues MR * 2 independent FMAs.</li>
 * </ol>
 * Edges: Y panels are zero-padded to NR columns; a last X panel with fewer than MR rows is copied
 * into a zero-padded buffer; tiles of full width (NR columns, any rows) are merged into C with
 * vectors, the others (partial columns, or landing in C transposed) with scalar code.
 *
 * <p>Buffers and the current problem live in a per-thread {@link Workspace}, so steady-state calls
 * allocate nothing. {@link #multiply} computes a block of rows and columns of C' with one
 * workspace: the unit {@link GemmPool} hands to each of its threads, after copying the problem
 * into that thread's workspace.
 */
final class VectorGemm {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    /**
     * Rows of C' per microkernel tile: 8 (16 accumulators) with 512-bit vectors, whose ISA has 32
     * vector registers; 6 (12 accumulators) below that. AVX2 has 16 registers: an 8-row tile's 16
     * accumulators plus the 2 Y vectors and a broadcast do not fit, and C2 spills accumulators to the
     * stack inside the K loop. The system property {@code lamina.gemm.mr} (6 or 8) overrides the
     * choice, for benchmarks and for testing both kernels on one machine.
     */
    static final int MR = tileRows(L, System.getProperty("lamina.gemm.mr"));
    /** Columns of C' per microkernel tile: two vectors. */
    static final int NR = 2 * L;
    /** K block: one [KC, NR] Y panel (32 KiB at 512 bits) fits in L1d. */
    static final int KC = 256;
    /** Row block of C': a multiple of MR (128 rows, or 126 with 6-row tiles), so only C's last rows make an edge. */
    static final int MC = 128 / MR * MR;
    /**
     * Column block of C': 16 panels (512 columns, a 512 KiB packed Y block) at 512 bits; 64 panels
     * (1024 columns, 1 MiB) below. Each column block packs X again, and the Y block need not fit L2 (the
     * macrokernel holds one NR-wide panel of it in L1 while X's row panels stream past), so on the AVX2
     * host wider blocks won: in-JVM A/B of 16, 32 and 64 panels, GFLOP/s: NN 512^3 82.0/86.3/88.6,
     * NN 1024^3 73.1/77.1/76.9, NN 2048x512x128 73.8/80.1/80.2, TN 128x512x2048 65.9/74.0/74.8. The
     * 512-bit figure is the one measured on the AVX-512 host (not re-measured with wider blocks).
     */
    static final int NC = L >= 16 ? 16 * NR : 64 * NR;
    /** Longest K taken as one block when C' is narrow (see {@link #kBlock}). */
    static final int KC_LONG = 4 * KC;
    /**
     * Columns of C' in a block from which X is packed even when its rows could be read in place
     * (see {@link #packsX}): 12 NR-wide panels.
     */
    static final int PACK_X_COLUMNS = 12 * NR;


    /** MR for vectors of {@code lanes} floats, or the override {@code property} (6 or 8) when set. */
    static int tileRows(int lanes, String property) {
        if (property == null || property.isBlank()) {
            return lanes >= 16 ? 8 : 6;
        }
        return switch (property.strip()) {
            case "6" -> 6;
            case "8" -> 8;
            default -> throw new IllegalArgumentException("lamina.gemm.mr is '" + property
                    + "' (expected: 6 or 8, the microkernel's rows; unset picks by vector width)");
        };
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * Per-thread buffers plus the current problem C' = alpha * X * Y + beta * C' (see the class
     * comment). X[i, p] is x[xOff + i*xRs + p*xCs]; Y[p, j] is y[yOff + p*ldy + j], or
     * y[yOff + j*ldy + p] when {@code yTransposed}; C'[i, j] is c[cOff + i*cRs + j*cCs].
     */
    static final class Workspace {
        final float[] packedY = new float[KC * NC];
        /** A row block of X packed as MR-row panels, panel r at r * MR * kc, step p of it at + p * MR. */
        final float[] packedX = new float[MC * KC_LONG];
        final float[] tile = new float[MR * NR];
        int m;
        int n;
        int k;
        float alpha;
        float beta;
        float[] x;
        int xOff;
        int xRs;
        int xCs;
        float[] y;
        int yOff;
        int ldy;
        boolean yTransposed;
        float[] c;
        int cOff;
        int cRs;
        int cCs;
        /** C' = C^T (see {@link #setProblem}). */
        boolean swapped;
        /** When not null, C gets bias[biasOff + column] added (with the first K block). */
        float[] bias;
        int biasOff;

        /** Copies the problem (not the buffers) of {@code from} into this workspace. */
        void copyProblem(Workspace from) {
            m = from.m;
            n = from.n;
            k = from.k;
            alpha = from.alpha;
            beta = from.beta;
            x = from.x;
            xOff = from.xOff;
            xRs = from.xRs;
            xCs = from.xCs;
            y = from.y;
            yOff = from.yOff;
            ldy = from.ldy;
            yTransposed = from.yTransposed;
            c = from.c;
            cOff = from.cOff;
            cRs = from.cRs;
            cCs = from.cCs;
            swapped = from.swapped;
            bias = from.bias;
            biasOff = from.biasOff;
        }

        /** Drops the references to the caller's arrays once a call is done. */
        void clear() {
            x = null;
            y = null;
            c = null;
            bias = null;
        }
    }

    private VectorGemm() {
    }

    /**
     * See {@link Kernels#gemm}; runs on the calling thread with its own workspace, or as dot products
     * ({@link DotGemm}) for a tiny C with a long K.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (trivial(m, n, k, beta, c, cOff, ldc)) {
            return;
        }
        if (DotGemm.suits(transA, transB, m, n, k)) {
            DotGemm.gemm(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        Workspace w = WORKSPACE.get();
        setProblem(w, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        multiply(w, 0, w.m, 0, w.n);
        w.clear();
    }

    /**
     * See {@link Kernels#gemmBias}: the bias joins the first K block's merge into C, so C is written
     * once instead of again by a separate pass.
     */
    static void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb, float[] bias, int biasOff, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || DotGemm.suits(transA, transB, m, n, k)) {
            gemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc);
            addBias(m, n, bias, biasOff, c, cOff, ldc);
            return;
        }
        Workspace w = WORKSPACE.get();
        setProblem(w, transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc);
        w.bias = bias;
        w.biasOff = biasOff;
        multiply(w, 0, w.m, 0, w.n);
        w.clear();
    }

    /** C[i, j] += bias[biasOff + j] (the products that do not go through the packed kernel). */
    static void addBias(int m, int n, float[] bias, int biasOff, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] += bias[biasOff + j];
            }
        }
    }

    /**
     * Handles the products with nothing to multiply: returns true (after scaling C by beta when
     * k == 0) if m, n or k is 0; false when there is a product to compute.
     */
    static boolean trivial(int m, int n, int k, float beta, float[] c, int cOff, int ldc) {
        assert m >= 0 && n >= 0 && k >= 0 && ldc >= n;
        if (m == 0 || n == 0) {
            return true;
        }
        if (k == 0) {
            scaleC(m, n, beta, c, cOff, ldc);
            return true;
        }
        return false;
    }

    /**
     * Stores the problem C' = alpha * X * Y + beta * C' for a {@link Kernels#gemm} call in
     * {@code w}, choosing the plain or the swapped form; m, n, k >= 1. After this, w.m x w.n is
     * the shape of C'.
     */
    static void setProblem(Workspace w, boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc) {
        assert m >= 1 && n >= 1 && k >= 1;
        assert ldc >= n && lda >= (transA ? m : k) && ldb >= (transB ? k : n);
        w.k = k;
        w.alpha = alpha;
        w.beta = beta;
        w.c = c;
        w.cOff = cOff;
        w.bias = null;
        w.swapped = swapIsCheaper(transA, transB, m, n, k);
        if (w.swapped) {
            // C^T[N,M] = op(B)^T * op(A)^T: X = op(B)^T read in place, Y = op(A)^T packed.
            w.m = n;
            w.n = m;
            setX(w, b, bOff, transB ? ldb : 1, transB ? 1 : ldb);
            setY(w, a, aOff, lda, !transA);
            w.cRs = 1;
            w.cCs = ldc;
        } else {
            w.m = m;
            w.n = n;
            setX(w, a, aOff, transA ? 1 : lda, transA ? lda : 1);
            setY(w, b, bOff, ldb, transB);
            w.cRs = ldc;
            w.cCs = 1;
        }
    }

    /**
     * True when computing C^T moves fewer elements: packing a transposed B costs n*k scalar
     * moves; the swapped form instead transposes A (m*k, unless A is already transposed) and
     * writes each K block of C transposed (m*n per block).
     */
    static boolean swapIsCheaper(boolean transA, boolean transB, int m, int n, int k) {
        if (!transB) {
            return false;
        }
        long kBlocks = ceilDiv(k, kBlock(k, m));
        long swapped = (transA ? 0L : (long) m * k) + (long) m * n * kBlocks;
        return swapped < (long) n * k;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static void setX(Workspace w, float[] x, int off, int rs, int cs) {
        w.x = x;
        w.xOff = off;
        w.xRs = rs;
        w.xCs = cs;
    }

    private static void setY(Workspace w, float[] y, int off, int ld, boolean transposed) {
        w.y = y;
        w.yOff = off;
        w.ldy = ld;
        w.yTransposed = transposed;
    }

    /**
     * Computes rows [i0, i1) and columns [j0, j1) of C' for the problem held in {@code w}; k >= 1.
     * Disjoint ranges touch disjoint parts of C, so threads may run them concurrently, each with
     * its own workspace (see {@link GemmPool}).
     */
    static void multiply(Workspace w, int i0, int i1, int j0, int j1) {
        assert w.k >= 1 && 0 <= j0 && j0 <= j1 && j1 <= w.n && 0 <= i0 && i0 <= i1 && i1 <= w.m;
        int kBlock = kBlock(w.k, w.n);
        boolean xOnce = packsXOnce(w, i1 - i0, j1 - j0, kBlock);
        if (xOnce) {
            packXRows(w, i0, i1 - i0, 0, w.k, 0, 0);
        }
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            boolean packAll = xOnce || packsX(w.xRs, nc);
            for (int pc = 0; pc < w.k; pc += kBlock) {
                int kc = Math.min(kBlock, w.k - pc);
                float betaBlock = pc == 0 ? w.beta : 1f;
                GemmPacking.packPanels(w.yTransposed, w.y, w.yOff, w.ldy, pc, kc, jc, nc, NR, w.packedY);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    if (!xOnce) {
                        // the panels the macrokernel reads packed: all, or only a last one of fewer than MR rows
                        packXRows(w, ic, mc, pc, kc, packAll ? 0 : mc - mc % MR, 0);
                    }
                    macroKernel(w, ic, mc, jc, nc, pc, kc, betaBlock, packAll, xOnce ? (ic - i0) * kc : 0);
                }
            }
        }
    }

    /**
     * Whether X's rows of a {@code rows} x {@code cols} part of C' are packed once for all its column
     * blocks rather than once per block: K is one block, there is more than one column block, X would
     * be packed for a full one, and all the rows fit the buffer. TN 256x784x64 (the MLP's first weight
     * gradient: four column blocks) packed X four times.
     */
    static boolean packsXOnce(Workspace w, int rows, int cols, int kBlock) {
        long panelRows = (rows + MR - 1) / MR * MR;
        return w.k <= kBlock && cols > NC && packsX(w.xRs, NC) && panelRows * w.k <= w.packedX.length;
    }

    /**
     * Packs X[i : i+rows, pc : pc+kc] from its row {@code first} (a multiple of MR) on, as MR-row panels
     * at packedX[base + r*kc] for the panel of row r.
     */
    private static void packXRows(Workspace w, int i, int rows, int pc, int kc, int first, int base) {
        for (int r = first; r < rows; r += MR) {
            GemmPacking.packRows(w.x, w.xOff + (i + r) * w.xRs + pc * w.xCs, w.xRs, w.xCs,
                    Math.min(MR, rows - r), kc, MR, w.packedX, base + r * kc);
        }
    }

    /**
     * Whether a block of {@code nc} columns of C' reads X packed (MR-row panels, the MR values of a
     * step of K adjacent) rather than in place. The packed microkernel indexes X with constant
     * offsets, so C2 checks two bounds per step instead of MR, and reads one cache line where in
     * place it reads MR rows apart; the price is one pass over the block's X, repaid when many
     * panels of Y reuse it. Always when X's rows are adjacent (xRs == 1: A^T, e.g. a weight gradient,
     * where a step of K in place jumps a whole row of A): TN 512x128x2048 +12%, TN 256x784x64 +8%; and
     * when the block has at least {@link #PACK_X_COLUMNS} columns: NT 2048x512x128 +5%, NN 512^3
     * +4%, NN 1024^3 +5%. With fewer it costs more than it saves: NT 64x256x784 (4 panels) -23%,
     * NN 2048x128x512 (8 panels) -10% (in-JVM A/B against reading in place, AVX2). Only with the
     * 6-row tile: the 8-row one (512-bit vectors) reads X in place as before, not having been timed
     * packed on a host with those vectors.
     */
    static boolean packsX(int xRs, int nc) {
        return MR == 6 && (xRs == 1 || nc >= PACK_X_COLUMNS);
    }

    /**
     * The K block of a problem: all of K at once when C' is narrow (K up to {@link #KC_LONG} and the
     * packed [K, N'] fits the Y buffer), so each tile is merged into C once instead of once per block
     * (the swapped form merges transposed, in scalar code: MLP's forward 64x784x256 merged 4 times);
     * else equal blocks of at most KC (784 -> 4 x 196, not 3 x 256 + 16): no short, merge-bound block.
     */
    static int kBlock(int k, int n) {
        if (k <= KC_LONG && (long) k * Math.min(n, NC) <= (long) KC * NC) {
            return Math.max(1, k);
        }
        return ceilDiv(k, ceilDiv(k, KC));
    }

    /**
     * C'[ic : ic+mc, jc : jc+nc] = alpha * X[rows, pc : pc+kc] * packedY + beta * C'. X is read in
     * place, or when {@code packed} from the panels at packedX[xPacked + ir*kc] (a last panel of
     * fewer than MR rows always from there).
     */
    private static void macroKernel(Workspace w, int ic, int mc, int jc, int nc, int pc, int kc, float beta,
                                    boolean packed, int xPacked) {
        float[] x = w.x;
        int xRs = w.xRs;
        int xCs = w.xCs;
        int xBase = w.xOff + pc * xCs;
        boolean vectorMerge = !w.swapped;
        // the bias joins the first K block; C' columns are C's columns, or (swapped) its rows
        float[] bias = pc == 0 ? w.bias : null;
        // C' = the tile exactly (C not transposed; no bias, scale or earlier K block): the microkernel
        // stores its accumulators straight into C, with no round trip through the tile (GEMM's
        // TN 256x784x64, the MLP's first weight gradient: +11% side by side; TN 128x256x64 +5%).
        boolean direct = vectorMerge && bias == null && beta == 0f && w.alpha == 1f;
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int pbOff = jr * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                int i = ic + ir;
                int cIdx = w.cOff + i * w.cRs + (jc + jr) * w.cCs;
                boolean toC = direct && rows == MR && cols == NR;
                float[] out = toC ? w.c : w.tile;
                int outIdx = toC ? cIdx : 0;
                int ld = toC ? w.cRs : NR;
                if (packed || rows < MR) {
                    packedKernel(kc, w.packedX, xPacked + ir * kc, w.packedY, pbOff, out, outIdx, ld);
                } else {
                    microKernel(kc, x, xBase + i * xRs, xRs, xCs, w.packedY, pbOff, out, outIdx, ld);
                }
                if (toC) {
                    continue;
                }
                if (vectorMerge && cols == NR) {
                    mergeFullTile(rows, w.tile, w.alpha, beta, w.c, cIdx, w.cRs, bias, w.biasOff + jc + jr);
                } else if (rows == MR && w.swapped) {
                    mergeTransposedTile(cols, w.tile, w.alpha, beta, w.c, cIdx, w.cCs, bias, w.biasOff + i);
                } else {
                    int biasIdx = w.biasOff + (w.swapped ? i : jc + jr);
                    mergeTile(rows, cols, w.tile, w.alpha, beta, w.c, cIdx, w.cRs, w.cCs, bias, biasIdx, w.swapped);
                }
            }
        }
    }

    /**
     * The MR x NR register tile: out[outIdx + i*ld + j] = sum over p in [0, kc) of
     * x[xIdx + i*rs + p*cs] * pb[pbOff + p*NR + j], for i in [0, MR), j in [0, NR): the workspace's
     * tile (ld = NR) or C itself. MR is a constant, so C2 keeps only one of the two kernels.
     */
    private static void microKernel(int kc, float[] x, int xIdx, int rs, int cs, float[] pb, int pbOff,
                                    float[] out, int outIdx, int ld) {
        if (MR == 8) {
            microKernel8(kc, x, xIdx, rs, cs, pb, pbOff, out, outIdx, ld);
        } else {
            microKernel6(kc, x, xIdx, rs, cs, pb, pbOff, out, outIdx, ld);
        }
    }

    /**
     * {@link #microKernel} on a packed X panel (see {@link GemmPacking#packRows}): x[xIdx + p*MR + i]. The
     * 6-row kernel's offsets of the MR values are constants, which C2 folds into two bound checks per
     * step; with 8 rows (only edge panels are packed, see {@link #packsX}) the strided kernel reads it.
     */
    private static void packedKernel(int kc, float[] x, int xIdx, float[] pb, int pbOff,
                                     float[] out, int outIdx, int ld) {
        if (MR == 8) {
            microKernel8(kc, x, xIdx, 1, MR, pb, pbOff, out, outIdx, ld);
        } else {
            packedKernel6(kc, x, xIdx, pb, pbOff, out, outIdx, ld);
        }
    }

    /**
     * {@link #microKernel6} reading a packed panel. The loop keeps 16 vector registers busy (12
     * accumulators, 2 Y vectors, 2 broadcasts) and spills nothing.
     */
    private static void packedKernel6(int kc, float[] x, int xIdx, float[] pb, int pbOff,
                                      float[] out, int outIdx, int ld) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int ai = xIdx;
        for (int bi = pbOff, end = pbOff + kc * NR; bi < end; bi += NR, ai += 6) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector av = FloatVector.broadcast(SPECIES, x[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, x[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, x[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, x[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, x[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, x[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        int d1 = outIdx + ld, d2 = d1 + ld, d3 = d2 + ld, d4 = d3 + ld, d5 = d4 + ld;
        c00.intoArray(out, outIdx);
        c01.intoArray(out, outIdx + L);
        c10.intoArray(out, d1);
        c11.intoArray(out, d1 + L);
        c20.intoArray(out, d2);
        c21.intoArray(out, d2 + L);
        c30.intoArray(out, d3);
        c31.intoArray(out, d3 + L);
        c40.intoArray(out, d4);
        c41.intoArray(out, d4 + L);
        c50.intoArray(out, d5);
        c51.intoArray(out, d5 + L);
    }

    /**
     * The 8-row tile (512-bit vectors). The 16 accumulators leave registers once, by plain stores;
     * merging into C here (scaling, adding C or a bias) makes the method too large for C2 to inline
     * the Vector API calls, and every vector would then be boxed (measured: 16 MB of garbage per
     * 256^3 call, 10x slower), so that happens after, from the tile.
     */
    private static void microKernel8(int kc, float[] x, int xIdx, int rs, int cs, float[] pb, int pbOff,
                                     float[] out, int outIdx, int ld) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        int o1 = rs, o2 = 2 * rs, o3 = 3 * rs, o4 = 4 * rs, o5 = 5 * rs, o6 = 6 * rs, o7 = 7 * rs;
        for (int p = 0, ai = xIdx, bi = pbOff; p < kc; p++, ai += cs, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector av = FloatVector.broadcast(SPECIES, x[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, x[ai + o1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, x[ai + o2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, x[ai + o3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, x[ai + o4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, x[ai + o5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(SPECIES, x[ai + o6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(SPECIES, x[ai + o7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        int d1 = outIdx + ld, d2 = d1 + ld, d3 = d2 + ld, d4 = d3 + ld, d5 = d4 + ld, d6 = d5 + ld, d7 = d6 + ld;
        c00.intoArray(out, outIdx);
        c01.intoArray(out, outIdx + L);
        c10.intoArray(out, d1);
        c11.intoArray(out, d1 + L);
        c20.intoArray(out, d2);
        c21.intoArray(out, d2 + L);
        c30.intoArray(out, d3);
        c31.intoArray(out, d3 + L);
        c40.intoArray(out, d4);
        c41.intoArray(out, d4 + L);
        c50.intoArray(out, d5);
        c51.intoArray(out, d5 + L);
        c60.intoArray(out, d6);
        c61.intoArray(out, d6 + L);
        c70.intoArray(out, d7);
        c71.intoArray(out, d7 + L);
    }

    /**
     * The 6-row tile (256-bit vectors, AVX2's 16 registers): 12 accumulators, 2 Y vectors and a
     * broadcast, 15 registers in all. The loop counts the Y index, not p: C2 then keeps one add per
     * index and step instead of recomputing p * NR and p * cs (measured in L1: 84 against 76 GFLOP/s
     * of a ~100 peak, same run).
     */
    private static void microKernel6(int kc, float[] x, int xIdx, int rs, int cs, float[] pb, int pbOff,
                                     float[] out, int outIdx, int ld) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int o1 = rs, o2 = 2 * rs, o3 = 3 * rs, o4 = 4 * rs, o5 = 5 * rs;
        int ai = xIdx;
        for (int bi = pbOff, end = pbOff + kc * NR; bi < end; bi += NR, ai += cs) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector av = FloatVector.broadcast(SPECIES, x[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, x[ai + o1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, x[ai + o2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, x[ai + o3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, x[ai + o4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, x[ai + o5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        int d1 = outIdx + ld, d2 = d1 + ld, d3 = d2 + ld, d4 = d3 + ld, d5 = d4 + ld;
        c00.intoArray(out, outIdx);
        c01.intoArray(out, outIdx + L);
        c10.intoArray(out, d1);
        c11.intoArray(out, d1 + L);
        c20.intoArray(out, d2);
        c21.intoArray(out, d2 + L);
        c30.intoArray(out, d3);
        c31.intoArray(out, d3 + L);
        c40.intoArray(out, d4);
        c41.intoArray(out, d4 + L);
        c50.intoArray(out, d5);
        c51.intoArray(out, d5 + L);
    }

    /**
     * C'[0:rows, 0:NR] at c[cIdx] (row stride ldc, unit column stride) = alpha * tile + beta * C'
     * (+ bias[biasIdx + j] when bias is not null).
     */
    private static void mergeFullTile(int rows, float[] tile, float alpha, float beta, float[] c, int cIdx, int ldc,
                                      float[] bias, int biasIdx) {
        for (int i = 0, t = 0; i < rows; i++, t += NR, cIdx += ldc) {
            for (int j = 0; j < NR; j += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, tile, t + j).mul(alpha);
                if (beta != 0f) {
                    v = v.add(FloatVector.fromArray(SPECIES, c, cIdx + j).mul(beta));
                }
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(SPECIES, bias, biasIdx + j));
                }
                v.intoArray(c, cIdx + j);
            }
        }
    }

    /**
     * C'[0:MR, 0:cols] = alpha * tile + beta * C' for C' stored transposed: C'[i, j] at
     * c[cIdx + i + j*ldc], so tile column j is MR contiguous floats of C. Scalar and unrolled
     * over the rows when MR == 8. Vectors would need a gather or a 256-bit species, and on JDK 17 both
     * make the kernels allocate (a gather is not intrinsified; a second species pollutes the type
     * profiles of the shared FloatVector methods, so C2 boxes vectors everywhere).
     */
    private static void mergeTransposedTile(int cols, float[] tile, float alpha, float beta,
                                            float[] c, int cIdx, int ldc, float[] bias, int biasIdx) {
        if (MR != 8) {
            mergeTransposedRows(cols, tile, alpha, beta, c, cIdx, ldc, bias, biasIdx);
            return;
        }
        if (bias != null && beta == 0f) {
            // the first K block of a gemmBias: C' row i gets bias[biasIdx + i]
            float b0 = bias[biasIdx], b1 = bias[biasIdx + 1], b2 = bias[biasIdx + 2], b3 = bias[biasIdx + 3];
            float b4 = bias[biasIdx + 4], b5 = bias[biasIdx + 5], b6 = bias[biasIdx + 6], b7 = bias[biasIdx + 7];
            for (int j = 0, o = cIdx; j < cols; j++, o += ldc) {
                c[o] = alpha * tile[j] + b0;
                c[o + 1] = alpha * tile[NR + j] + b1;
                c[o + 2] = alpha * tile[2 * NR + j] + b2;
                c[o + 3] = alpha * tile[3 * NR + j] + b3;
                c[o + 4] = alpha * tile[4 * NR + j] + b4;
                c[o + 5] = alpha * tile[5 * NR + j] + b5;
                c[o + 6] = alpha * tile[6 * NR + j] + b6;
                c[o + 7] = alpha * tile[7 * NR + j] + b7;
            }
            return;
        }
        for (int j = 0, o = cIdx; j < cols; j++, o += ldc) {
            if (bias != null) {
                for (int i = 0; i < MR; i++) {
                    c[o + i] = alpha * tile[i * NR + j] + beta * c[o + i] + bias[biasIdx + i];
                }
            } else if (beta == 0f) {
                c[o] = alpha * tile[j];
                c[o + 1] = alpha * tile[NR + j];
                c[o + 2] = alpha * tile[2 * NR + j];
                c[o + 3] = alpha * tile[3 * NR + j];
                c[o + 4] = alpha * tile[4 * NR + j];
                c[o + 5] = alpha * tile[5 * NR + j];
                c[o + 6] = alpha * tile[6 * NR + j];
                c[o + 7] = alpha * tile[7 * NR + j];
            } else {
                for (int i = 0; i < MR; i++) {
                    c[o + i] = alpha * tile[i * NR + j] + beta * c[o + i];
                }
            }
        }
    }

    /** {@link #mergeTransposedTile} for MR != 8: a loop over the MR rows (constant trip count). */
    private static void mergeTransposedRows(int cols, float[] tile, float alpha, float beta,
                                            float[] c, int cIdx, int ldc, float[] bias, int biasIdx) {
        for (int j = 0, o = cIdx; j < cols; j++, o += ldc) {
            for (int i = 0; i < MR; i++) {
                float v = alpha * tile[i * NR + j];
                if (beta != 0f) {
                    v += beta * c[o + i];
                }
                c[o + i] = bias == null ? v : v + bias[biasIdx + i];
            }
        }
    }

    /**
     * C'[0:rows, 0:cols] = alpha * tile + beta * C' (C' not read when beta == 0), C'[i, j] at
     * c[cIdx + i*rs + j*cs]; for edge tiles and for C written transposed. When bias is not null it
     * adds bias[biasIdx + i] (biasByRow, the swapped form) or bias[biasIdx + j].
     */
    private static void mergeTile(int rows, int cols, float[] tile, float alpha, float beta,
                                  float[] c, int cIdx, int rs, int cs, float[] bias, int biasIdx, boolean biasByRow) {
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                int ci = cIdx + i * rs + j * cs;
                float v = alpha * tile[i * NR + j];
                v = beta == 0f ? v : v + beta * c[ci];
                c[ci] = bias == null ? v : v + bias[biasIdx + (biasByRow ? i : j)];
            }
        }
    }

    /** C = beta * C (C = 0 when beta == 0, whatever C held); the k == 0 case. */
    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }
}
