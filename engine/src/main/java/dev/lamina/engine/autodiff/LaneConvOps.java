package dev.lamina.engine.autodiff;

/**
 * The executors of {@link ConvOps#LANES}: each transposes its batch operands into the sample-lanes
 * layout [C, H, W, lanes] ({@link ConvGeometry#toLanes}), runs a sample-lanes kernel
 * ({@link dev.lamina.engine.kernel.Kernels#convLanes}) and transposes the result back. The forward's
 * scratch keeps the transposed input for the weight gradient (which takes the forward node as its
 * third input).
 */
final class LaneConvOps {

    private LaneConvOps() {
    }

    /**
     * LANES forward: x to [C, H + 2 padH, W + 2 padW, lanes] (kept in the scratch for the weight
     * gradient), the valid convolution into [O, OH, OW, lanes] after it, then back to [B, O, OH, OW].
     */
    static void forward(Node n, Buffers b) {
        Node xn = n.input(0);
        float[] scratch = b.scratch(n);
        int batch = n.intAttr(ConvGeometry.BATCH), c = n.intAttr(ConvGeometry.C), o = n.intAttr(ConvGeometry.O);
        int hp = ConvGeometry.paddedHeight(n), wp = ConvGeometry.paddedWidth(n);
        int oh = n.intAttr(ConvGeometry.OH), ow = n.intAttr(ConvGeometry.OW);
        int lanes = ConvGeometry.laneCount(batch);
        int y = c * hp * wp * lanes;
        ConvGeometry.toLanes(batch, c, n.intAttr(ConvGeometry.H), n.intAttr(ConvGeometry.W), b.data(xn), b.offset(xn),
                hp, wp, n.intAttr(ConvGeometry.PAD_H), n.intAttr(ConvGeometry.PAD_W), lanes, scratch, 0);
        b.kernels().convLanes(c, hp, wp, lanes, scratch, 0, o, n.intAttr(ConvGeometry.KH), n.intAttr(ConvGeometry.KW),
                b.data(n.input(1)), b.offset(n.input(1)), oh, ow, scratch, y, n.intAttr(ConvGeometry.PAD_H),
                n.intAttr(ConvGeometry.PAD_W), n.intAttr(ConvGeometry.H), n.intAttr(ConvGeometry.W));
        boolean biased = n.inputs().size() == 3;
        ConvGeometry.fromLanes(batch, o, oh, ow, lanes, scratch, y, b.data(n), b.offset(n),
                biased ? b.data(n.input(2)) : null, biased ? b.offset(n.input(2)) : 0);
    }

    /**
     * LANES input gradient: dx[c, y, x] = sum over o, i, j of w[o, c, KH-1-i, KW-1-j] up'[o, y+i, x+j],
     * where up' is the upstream [O, OH, OW] placed at (KH-1-padH, KW-1-padW) in a zero plane of
     * [H + KH - 1, W + KW - 1]: the forward kernel over up' with the flipped, transposed weights.
     */
    static void backwardInput(Node n, Buffers b) {
        Node up = n.input(0);
        Node wn = n.input(1);
        float[] scratch = b.scratch(n);
        int batch = n.intAttr(ConvGeometry.BATCH), c = n.intAttr(ConvGeometry.C), o = n.intAttr(ConvGeometry.O);
        int h = n.intAttr(ConvGeometry.H), w = n.intAttr(ConvGeometry.W);
        int kh = n.intAttr(ConvGeometry.KH), kw = n.intAttr(ConvGeometry.KW);
        int lanes = ConvGeometry.laneCount(batch);
        int uh = h + kh - 1, uw = w + kw - 1;
        int dx = o * uh * uw * lanes;
        int flipped = dx + c * h * w * lanes;
        int oh = n.intAttr(ConvGeometry.OH), ow = n.intAttr(ConvGeometry.OW);
        int top = kh - 1 - n.intAttr(ConvGeometry.PAD_H), left = kw - 1 - n.intAttr(ConvGeometry.PAD_W);
        ConvGeometry.toLanes(batch, o, oh, ow, b.data(up), b.offset(up), uh, uw, top, left, lanes, scratch, 0);
        float[] wd = b.data(wn);
        int wo = b.offset(wn);
        for (int ci = 0; ci < c; ci++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        scratch[flipped + ((ci * o + oc) * kh + i) * kw + j] =
                                wd[wo + ((oc * c + ci) * kh + kh - 1 - i) * kw + kw - 1 - j];
                    }
                }
            }
        }
        b.kernels().convLanes(o, uh, uw, lanes, scratch, 0, c, kh, kw, scratch, flipped, h, w, scratch, dx, top, left,
                oh, ow);
        ConvGeometry.fromLanes(batch, c, h, w, lanes, scratch, dx, b.data(n), b.offset(n), null, 0);
    }

    /** LANES weight gradient: the upstream to [O, OH, OW, lanes], against the forward's [C, HP, WP, lanes]. */
    static void backwardWeight(Node n, Buffers b) {
        Node up = n.input(1);
        float[] scratch = b.scratch(n);
        int batch = n.intAttr(ConvGeometry.BATCH), c = n.intAttr(ConvGeometry.C), o = n.intAttr(ConvGeometry.O);
        int oh = n.intAttr(ConvGeometry.OH), ow = n.intAttr(ConvGeometry.OW);
        int lanes = ConvGeometry.laneCount(batch);
        ConvGeometry.toLanes(batch, o, oh, ow, b.data(up), b.offset(up), oh, ow, 0, 0, lanes, scratch, 0);
        b.kernels().convLanesWeightGradient(c, ConvGeometry.paddedHeight(n), ConvGeometry.paddedWidth(n), lanes,
                b.scratch(n.input(2)), 0, o, n.intAttr(ConvGeometry.KH), n.intAttr(ConvGeometry.KW), scratch, 0, oh, ow,
                b.data(n), b.offset(n));
    }
}
