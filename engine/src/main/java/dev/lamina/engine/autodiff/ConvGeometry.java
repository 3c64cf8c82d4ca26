package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;
import java.util.Arrays;

/**
 * The sizes of one 2-d convolution, kept in the integer attributes of its nodes, with im2col and
 * col2im over one sample. Executors read sizes straight from the node, so nothing is allocated per
 * step. The column matrix is [C KH KW, OH OW]: row (c KH + i) KW + j holds x[c, oh strideH - padH +
 * i dilationH, ow strideW - padW + j dilationW] (zero outside the image) in column oh OW + ow. The
 * valid output columns of each kernel column are computed once per row, so the inner loops are
 * plain copies (unit stride) without bounds tests.
 */
final class ConvGeometry {
    static final int STRIDE_H = 0;
    static final int STRIDE_W = 1;
    static final int PAD_H = 2;
    static final int PAD_W = 3;
    static final int DILATION_H = 4;
    static final int DILATION_W = 5;
    static final int GROUPS = 6;
    static final int BATCH = 7;
    static final int C = 8;
    static final int H = 9;
    static final int W = 10;
    static final int O = 11;
    static final int KH = 12;
    static final int KW = 13;
    static final int OH = 14;
    static final int OW = 15;
    /**
     * The strategy: {@link ConvOps#AUTO}, {@link ConvOps#IM2COL}, {@link ConvOps#DIRECT},
     * {@link ConvOps#PADDED} or {@link ConvOps#LANES}.
     */
    static final int STRATEGY = 16;
    /** Samples per im2col chunk (see {@link #chunkSamples(int, long)}). */
    static final int CHUNK = 17;
    /** 1 when the forward pass keeps every chunk's column matrix for the weight gradient, else 0. */
    static final int CACHED = 18;
    /** 1 when the forward pass and weight gradient run {@link ConvOps#PADDED} (resolved from STRATEGY), else 0. */
    static final int PADDED = 19;
    /** 1 when forward and both gradients run {@link ConvOps#LANES} (resolved from STRATEGY), else 0. */
    static final int LANES = 20;
    static final int COUNT = 21;

    private ConvGeometry() {
    }

    /** The attributes of a convolution of x [B, C, H, W] by w [O, C/groups, KH, KW]. */
    static int[] attributes(int[] x, int[] w, int strideH, int strideW, int padH, int padW, int dilationH,
                            int dilationW, int groups) {
        int oh = outSize(x[2], w[2], strideH, padH, dilationH);
        int ow = outSize(x[3], w[3], strideW, padW, dilationW);
        return new int[] {strideH, strideW, padH, padW, dilationH, dilationW, groups,
            x[0], x[1], x[2], x[3], w[0], w[2], w[3], oh, ow, 0, 1, 0, 0, 0};
    }

    static int outSize(int in, int kernel, int stride, int pad, int dilation) {
        return Math.floorDiv(in + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;
    }

    /** Output positions per channel: OH OW. */
    static int positions(Node n) {
        return n.intAttr(OH) * n.intAttr(OW);
    }

    /** Rows of the column matrix: C KH KW. */
    static int kernelRows(Node n) {
        return n.intAttr(C) * n.intAttr(KH) * n.intAttr(KW);
    }

    /**
     * Samples per im2col chunk: the executors lay the column matrices of a chunk of samples side by
     * side, [C KH KW, S OH OW], so each group needs one GEMM per chunk instead of one per sample, with
     * S OH OW columns (or, for the weight gradient, a reduction of that length). The scratch holds the
     * chunk's column matrix plus its [O, S OH OW] product or upstream. A chunk is capped at
     * {@link #CHUNK_FLOATS} floats of scratch (at least one sample), and the batch is split into
     * chunks of equal size, a rule of shape only, so a run is reproducible bit for bit.
     */
    static int chunkSamples(int batch, long floatsPerSample) {
        int max = (int) Math.max(1, Math.min(batch, CHUNK_FLOATS / floatsPerSample));
        int chunks = (batch + max - 1) / max;
        return (batch + chunks - 1) / chunks;
    }

    /** Scratch floats per sample of a chunk: the column matrix [C KH KW, OH OW] plus [O, OH OW]. */
    static long floatsPerSample(int[] attrs) {
        long rows = (long) attrs[C] * attrs[KH] * attrs[KW] + attrs[O];
        return rows * attrs[OH] * attrs[OW];
    }

    /** The chunk size of a convolution node (or one of its backward nodes). */
    static int chunkSamples(Node n) {
        return n.intAttr(CHUNK);
    }

    /**
     * Largest column matrix of a whole batch, [C KH KW, B OH OW], that the forward pass keeps for the
     * weight gradient instead of the weight gradient running im2col again: 2^22 floats (16 MiB).
     */
    static final long CACHE_FLOATS = 1 << 22;

    /** Whether the im2col forward keeps all its column matrices: when they fit in CACHE_FLOATS. */
    static boolean cacheable(int[] attrs) {
        return (long) attrs[BATCH] * attrs[C] * attrs[KH] * attrs[KW] * attrs[OH] * attrs[OW] <= CACHE_FLOATS;
    }

    /**
     * Scratch floats of a convolution op: the forward and the input gradient hold a chunk's columns
     * and its [O, S OH OW] product or upstream; a caching forward holds every chunk's columns instead,
     * and the weight gradient then only the gathered upstream.
     */
    static int scratchFloats(int[] attrs, Op op) {
        long p = (long) attrs[OH] * attrs[OW];
        long columns = (long) attrs[C] * attrs[KH] * attrs[KW] * p;
        long chunkOutputs = (long) attrs[CHUNK] * attrs[O] * p;
        boolean cached = attrs[CACHED] == 1;
        if (attrs[LANES] == 1) {
            long lanes = laneCount(attrs[BATCH]);
            long x = (long) attrs[C] * (attrs[H] + 2 * attrs[PAD_H]) * (attrs[W] + 2 * attrs[PAD_W]) * lanes;
            long y = (long) attrs[O] * p * lanes;
            return (int) switch (op) {
                case CONV2D -> x + y;
                case CONV2D_BACKWARD_WEIGHT -> y;
                default -> (long) attrs[O] * (attrs[H] + attrs[KH] - 1) * (attrs[W] + attrs[KW] - 1) * lanes
                        + (long) attrs[C] * attrs[H] * attrs[W] * lanes + (long) attrs[C] * attrs[O] * attrs[KH] * attrs[KW];
            };
        }
        if (attrs[PADDED] == 1 && op != Op.CONV2D_BACKWARD_INPUT) {
            // The forward holds the padded batch, which the weight gradient reads there.
            long padded = (long) attrs[BATCH] * attrs[C] * (attrs[H] + 2 * attrs[PAD_H]) * (attrs[W] + 2 * attrs[PAD_W]);
            return op == Op.CONV2D ? (int) padded : 0;
        }
        long floats = switch (op) {
            case CONV2D -> (cached ? attrs[BATCH] : attrs[CHUNK]) * columns + chunkOutputs;
            case CONV2D_BACKWARD_WEIGHT -> (cached ? 0 : attrs[CHUNK] * columns) + chunkOutputs;
            default -> attrs[CHUNK] * columns + chunkOutputs
                    + (narrow(attrs[W], attrs[STRIDE_W]) ? (long) attrs[C] * attrs[H] * NARROW_STRIDE : 0);
        };
        return (int) floats;
    }

    /**
     * Soft cap on a chunk's scratch: 2^18 floats (1 MiB), so the column matrix of a chunk is still in
     * L2 when the GEMM reads it. Measured with bin/lamina bench --model lenet (see the commit log).
     */
    static final long CHUNK_FLOATS = 1 << 18;

    /**
     * Row stride of the plane the input gradient accumulates in when input rows are at most
     * {@link #NARROW_WIDTH} wide (then copied to dx): col2im's vector read-modify-writes of
     * consecutive rows (16 floats wide with AVX-512) no longer overlap, so none waits for the store
     * before it. LeNet's second convolution (12-wide rows): see the commit log.
     */
    static final int NARROW_STRIDE = 32;
    static final int NARROW_WIDTH = 16;

    /**
     * Whether the input gradient of a convolution over rows w wide goes through the strided plane:
     * only with unit column stride, where col2im adds whole rows with vectors (strided columns are
     * added one by one, with nothing to overlap).
     */
    static boolean narrow(int w, int strideW) {
        return w <= NARROW_WIDTH && strideW == 1;
    }

    /** Rows of a padded input plane ({@link ConvOps#PADDED}): H + 2 padH. */
    static int paddedHeight(Node n) {
        return n.intAttr(H) + 2 * n.intAttr(PAD_H);
    }

    /** Columns of a padded input plane: W + 2 padW. */
    static int paddedWidth(Node n) {
        return n.intAttr(W) + 2 * n.intAttr(PAD_W);
    }

    /** Samples per position in the sample-lanes layout: the batch rounded up to a multiple of 32. */
    static int laneCount(int batch) {
        return (batch + 31) / 32 * 32;
    }

    /**
     * Writes a batch [B, C, H, W] at src into the sample-lanes layout [C, H + top + bottom, W + left +
     * right, lanes] at dst: zero borders, zero lanes past the batch. Each block of 16 samples writes
     * whole 64-byte lines of dst.
     */
    static void toLanes(int batch, int planes, int h, int w, float[] src, int srcOff, int hp, int wp, int top,
                        int left, int lanes, float[] dst, int dstOff) {
        Arrays.fill(dst, dstOff, dstOff + planes * hp * wp * lanes, 0f);
        int sample = planes * h * w;
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                int from = srcOff + (p * h + y) * w;
                int to = dstOff + ((p * hp + y + top) * wp + left) * lanes;
                for (int s0 = 0; s0 < batch; s0 += 16) {
                    int s1 = Math.min(batch, s0 + 16);
                    for (int s = s0; s < s1; s++) {
                        int row = from + s * sample;
                        for (int q = 0; q < w; q++) {
                            dst[to + q * lanes + s] = src[row + q];
                        }
                    }
                }
            }
        }
    }

    /**
     * The inverse of {@link #toLanes} without borders: [C, H, W, lanes] at src into [B, C, H, W] at dst,
     * plus bias[biasOff + c] on plane c when bias is not null.
     */
    static void fromLanes(int batch, int planes, int h, int w, int lanes, float[] src, int srcOff, float[] dst,
                          int dstOff, float[] bias, int biasOff) {
        int sample = planes * h * w;
        for (int p = 0; p < planes; p++) {
            float add = bias == null ? 0f : bias[biasOff + p];
            for (int y = 0; y < h; y++) {
                int from = srcOff + (p * h + y) * w * lanes;
                int to = dstOff + (p * h + y) * w;
                for (int s0 = 0; s0 < batch; s0 += 16) {
                    int s1 = Math.min(batch, s0 + 16);
                    for (int s = s0; s < s1; s++) {
                        int row = to + s * sample;
                        if (bias == null) {
                            for (int q = 0; q < w; q++) {
                                dst[row + q] = src[from + q * lanes + s];
                            }
                        } else {
                            for (int q = 0; q < w; q++) {
                                dst[row + q] = src[from + q * lanes + s] + add;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Copies the batch x [B, C, H, W] at xOff into xp [B, C, H + 2 padH, W + 2 padW] at 0 with zero borders. */
    static void pad(Node n, float[] x, int xOff, float[] xp) {
        int planes = n.intAttr(BATCH) * n.intAttr(C);
        int h = n.intAttr(H), w = n.intAttr(W), ph = n.intAttr(PAD_H), pw = n.intAttr(PAD_W);
        int hp = h + 2 * ph;
        int wp = w + 2 * pw;
        if (ph == 0 && pw == 0) {
            System.arraycopy(x, xOff, xp, 0, planes * h * w);
            return;
        }
        for (int p = 0; p < planes; p++) {
            int dst = p * hp * wp;
            Arrays.fill(xp, dst, dst + ph * wp, 0f);
            for (int y = 0; y < h; y++) {
                int row = dst + (ph + y) * wp;
                Arrays.fill(xp, row, row + pw, 0f);
                System.arraycopy(x, xOff + (p * h + y) * w, xp, row + pw, w);
                Arrays.fill(xp, row + pw + w, row + wp, 0f);
            }
            Arrays.fill(xp, dst + (ph + h) * wp, dst + hp * wp, 0f);
        }
    }

    /**
     * Fills the column matrix of the sample of x at xOff into col: row r, column q at
     * col[colOff + r ld + q] (ld >= OH OW, so the samples of a chunk sit side by side).
     */
    static void im2col(Node n, float[] x, int xOff, float[] col, int colOff, int ld) {
        int c = n.intAttr(C), h = n.intAttr(H), w = n.intAttr(W), kh = n.intAttr(KH), kw = n.intAttr(KW);
        int oh = n.intAttr(OH), ow = n.intAttr(OW);
        int sh = n.intAttr(STRIDE_H), sw = n.intAttr(STRIDE_W), ph = n.intAttr(PAD_H), pw = n.intAttr(PAD_W);
        int dh = n.intAttr(DILATION_H), dw = n.intAttr(DILATION_W);
        int row = 0;
        for (int ch = 0; ch < c; ch++) {
            int plane = xOff + ch * h * w;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, row++) {
                    int shift = j * dw - pw;
                    int first = firstColumn(shift, sw, ow);
                    int last = lastColumn(shift, sw, ow, w, first);
                    int dst = colOff + row * ld;
                    if (sh == 1 && sw == 1 && ow == w) {
                        int y0 = Math.max(0, ph - i * dh);
                        int y1 = Math.max(y0, Math.min(oh, h + ph - i * dh));
                        rowsOfSameWidth(x, plane + (y0 - ph + i * dh) * w + shift, col, dst, ow, oh, y0, y1, first,
                                last);
                        continue;
                    }
                    for (int y = 0; y < oh; y++, dst += ow) {
                        int iy = y * sh - ph + i * dh;
                        if (iy < 0 || iy >= h) {
                            zero(col, dst, ow);
                            continue;
                        }
                        zero(col, dst, first);
                        int src = plane + iy * w + shift;
                        if (sw == 1) {
                            System.arraycopy(x, src + first, col, dst + first, last - first);
                        } else {
                            for (int xo = first; xo < last; xo++) {
                                col[dst + xo] = x[src + xo * sw];
                            }
                        }
                        zero(col, dst + last, ow - last);
                    }
                }
            }
        }
    }

    /**
     * Adds every entry of the column matrix in col (layout as in {@link #im2col}) back to its pixel
     * of the sample of dx at dxOff, whose rows lie rowStride apart (W, or a wider stride).
     */
    static void col2im(Kernels kernels, Node n, float[] col, int colOff, int ld, float[] dx, int dxOff, int rowStride) {
        int c = n.intAttr(C), h = n.intAttr(H), w = n.intAttr(W), kh = n.intAttr(KH), kw = n.intAttr(KW);
        int oh = n.intAttr(OH), ow = n.intAttr(OW);
        int sh = n.intAttr(STRIDE_H), sw = n.intAttr(STRIDE_W), ph = n.intAttr(PAD_H), pw = n.intAttr(PAD_W);
        int dh = n.intAttr(DILATION_H), dw = n.intAttr(DILATION_W);
        int row = 0;
        for (int ch = 0; ch < c; ch++) {
            int plane = dxOff + ch * h * rowStride;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, row++) {
                    int shift = j * dw - pw;
                    int first = firstColumn(shift, sw, ow);
                    int last = lastColumn(shift, sw, ow, w, first);
                    int src = colOff + row * ld;
                    if (sw == 1) {
                        // Output rows y0 .. y1 - 1 read input rows inside the image, sh rows apart.
                        int y0 = Math.max(0, Math.floorDiv(ph - i * dh + sh - 1, sh));
                        int y1 = Math.min(oh, Math.floorDiv(h - 1 + ph - i * dh, sh) + 1);
                        if (y0 < y1 && first < last) {
                            kernels.addBlock(y1 - y0, last - first, col, src + y0 * ow + first, ow, dx,
                                    plane + (y0 * sh - ph + i * dh) * rowStride + shift + first, sh * rowStride);
                        }
                        continue;
                    }
                    for (int y = 0; y < oh; y++, src += ow) {
                        int iy = y * sh - ph + i * dh;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int dst = plane + iy * rowStride + shift;
                        for (int xo = first; xo < last; xo++) {
                            dx[dst + xo * sw] += col[src + xo];
                        }
                    }
                }
            }
        }
    }

    /**
     * One row of the column matrix when output and input rows have the same width and unit strides:
     * input rows y0 - padH + i dilationH .. are consecutive in x as output rows y0 .. y1 are in col,
     * so the valid part is one copy from src (x's element for output row y0, column 0); the columns
     * it wraps around ([0, first) and [last, OW) of each row) and the rows outside [y0, y1) are then
     * zeroed.
     */
    private static void rowsOfSameWidth(float[] x, int src, float[] col, int dst, int ow, int oh, int y0, int y1,
                                        int first, int last) {
        if (y0 == y1 || first == last) {
            zero(col, dst, oh * ow);
            return;
        }
        int from = y0 * ow + first;
        int to = (y1 - 1) * ow + last;
        System.arraycopy(x, src + first, col, dst + from, to - from);
        zero(col, dst, from);
        for (int y = y0; y < y1 - 1; y++) {
            zero(col, dst + y * ow + last, ow - last + first);
        }
        zero(col, dst + to, oh * ow - to);
    }

    /** Zeroes col[from, from + n): the few padded columns of a row, cheaper than an Arrays.fill call. */
    private static void zero(float[] col, int from, int n) {
        for (int i = from; i < from + n; i++) {
            col[i] = 0f;
        }
    }

    /** The first output column xo whose input column xo sw + shift is >= 0 (at most ow). */
    static int firstColumn(int shift, int sw, int ow) {
        return shift >= 0 ? 0 : Math.min(ow, (-shift + sw - 1) / sw);
    }

    /** One past the last output column whose input column xo sw + shift is < w (at least first). */
    static int lastColumn(int shift, int sw, int ow, int w, int first) {
        int last = w - 1 - shift < 0 ? 0 : Math.min(ow, (w - 1 - shift) / sw + 1);
        return Math.max(first, last);
    }

    /** Copies x [S, O, P] at xOff to out [O, S P] at outOff (one chunk's samples side by side). */
    static void gatherSamples(int samples, int o, int p, float[] x, int xOff, float[] out, int outOff) {
        int ld = samples * p;
        for (int s = 0; s < samples; s++) {
            for (int oc = 0; oc < o; oc++) {
                System.arraycopy(x, xOff + (s * o + oc) * p, out, outOff + oc * ld + s * p, p);
            }
        }
    }

    /** Copies x [O, S P] at xOff back to out [S, O, P] at outOff (the inverse of gatherSamples). */
    static void scatterSamples(int samples, int o, int p, float[] x, int xOff, float[] out, int outOff) {
        int ld = samples * p;
        for (int s = 0; s < samples; s++) {
            for (int oc = 0; oc < o; oc++) {
                System.arraycopy(x, xOff + oc * ld + s * p, out, outOff + (s * o + oc) * p, p);
            }
        }
    }
}
