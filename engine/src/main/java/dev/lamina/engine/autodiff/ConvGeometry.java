package dev.lamina.engine.autodiff;

import java.util.Arrays;

/**
 * The sizes of one 2-d convolution, kept in the integer attributes of its nodes, with im2col and
 * col2im over one sample. Executors read sizes straight from the node, so nothing is allocated per
 * step. The column matrix is [C KH KW, OH OW]: row (c KH + i) KW + j holds x[c, oh strideH - padH +
 * i dilationH, ow strideW - padW + j dilationW] (zero outside the image) in column oh OW + ow.
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
    /** The forward strategy: {@link ConvOps#AUTO}, {@link ConvOps#IM2COL} or {@link ConvOps#DIRECT}. */
    static final int STRATEGY = 16;
    static final int COUNT = 17;

    private ConvGeometry() {
    }

    /** The attributes of a convolution of x [B, C, H, W] by w [O, C/groups, KH, KW]. */
    static int[] attributes(int[] x, int[] w, int strideH, int strideW, int padH, int padW, int dilationH,
                            int dilationW, int groups) {
        int oh = outSize(x[2], w[2], strideH, padH, dilationH);
        int ow = outSize(x[3], w[3], strideW, padW, dilationW);
        return new int[] {strideH, strideW, padH, padW, dilationH, dilationW, groups,
            x[0], x[1], x[2], x[3], w[0], w[2], w[3], oh, ow, 0};
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

    /** Fills col [C KH KW, OH OW] from the sample of x starting at xOff. */
    static void im2col(Node n, float[] x, int xOff, float[] col) {
        int c = n.intAttr(C), h = n.intAttr(H), w = n.intAttr(W), kh = n.intAttr(KH), kw = n.intAttr(KW);
        int oh = n.intAttr(OH), ow = n.intAttr(OW), p = oh * ow;
        int sh = n.intAttr(STRIDE_H), sw = n.intAttr(STRIDE_W), ph = n.intAttr(PAD_H), pw = n.intAttr(PAD_W);
        int dh = n.intAttr(DILATION_H), dw = n.intAttr(DILATION_W);
        int row = 0;
        for (int ch = 0; ch < c; ch++) {
            int plane = xOff + ch * h * w;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, row++) {
                    int dst = row * p;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * sh - ph + i * dh;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, dst + y * ow, dst + (y + 1) * ow, 0f);
                            continue;
                        }
                        int src = plane + iy * w;
                        for (int xo = 0; xo < ow; xo++) {
                            int ix = xo * sw - pw + j * dw;
                            col[dst + y * ow + xo] = ix >= 0 && ix < w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds every entry of col [C KH KW, OH OW] back to its pixel of the sample of dx at dxOff. */
    static void col2im(Node n, float[] col, float[] dx, int dxOff) {
        int c = n.intAttr(C), h = n.intAttr(H), w = n.intAttr(W), kh = n.intAttr(KH), kw = n.intAttr(KW);
        int oh = n.intAttr(OH), ow = n.intAttr(OW), p = oh * ow;
        int sh = n.intAttr(STRIDE_H), sw = n.intAttr(STRIDE_W), ph = n.intAttr(PAD_H), pw = n.intAttr(PAD_W);
        int dh = n.intAttr(DILATION_H), dw = n.intAttr(DILATION_W);
        int row = 0;
        for (int ch = 0; ch < c; ch++) {
            int plane = dxOff + ch * h * w;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, row++) {
                    int src = row * p;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * sh - ph + i * dh;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int dst = plane + iy * w;
                        for (int xo = 0; xo < ow; xo++) {
                            int ix = xo * sw - pw + j * dw;
                            if (ix >= 0 && ix < w) {
                                dx[dst + ix] += col[src + y * ow + xo];
                            }
                        }
                    }
                }
            }
        }
    }
}
