package dev.lamina.engine.autodiff;

import dev.lamina.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * The convolution family: 2-d convolution (im2col + GEMM over chunks of samples, per group), per-channel
 * bias and reshape. {@link #register()} also registers the sibling families of convolutional
 * networks ({@link PoolingOps}, {@link BatchNormOps}, {@link DropoutOps}, {@link PointwiseLossOps}).
 *
 * <p>Layout is NCHW: x [B, C, H, W]; weights are [O, C/groups, KH, KW] as in PyTorch. The output is
 * [B, O, OH, OW] with OH = (H + 2 padH - dilationH (KH - 1) - 1) / strideH + 1 (likewise OW).
 * Integer attributes of the three convolution ops: (strideH, strideW, padH, padW, dilationH,
 * dilationW, groups). Each op's scratch holds a chunk of S samples' column matrices side by side,
 * [C KH KW, S OH OW], plus the chunk's output or upstream as [O, S OH OW] (see
 * {@link ConvGeometry#chunkSamples(int, long)}), so a group needs one GEMM per chunk, not per sample.
 * When the whole batch's columns fit in {@link ConvGeometry#CACHE_FLOATS}, the forward keeps them all
 * and the weight gradient (which takes the forward node as its third input) reads them there. Shapes
 * where a direct form measured faster skip the column matrix: {@link #DIRECT}, {@link #PADDED} and
 * {@link #LANES} (see each).
 */
public final class ConvOps {
    /** Forward strategy chosen by shape (see {@link #direct(Node)}). */
    public static final int AUTO = 0;
    /** Forward through im2col and GEMM. */
    public static final int IM2COL = 1;
    /** Forward by direct accumulation of shifted input rows (stride-1, undilated columns only). */
    public static final int DIRECT = 2;
    /**
     * Forward and weight gradient by direct valid convolution of a zero-padded copy of the input
     * ({@link dev.lamina.engine.kernel.Kernels#convValid}; unit strides and dilations, one group),
     * with no column matrix; the input gradient still runs through col2im.
     */
    public static final int PADDED = 3;
    /**
     * Forward and both gradients in sample-lanes layout: the batch transposed to [C, H, W, B] (B
     * rounded up to 32), so a vector holds one position of 16 samples whatever the row width, and the
     * convolution runs direct with a 6-channel register tile; the input gradient is the same kernel
     * over the padded upstream with the flipped kernel. Unit strides and dilations, one group, padding
     * below the kernel size.
     */
    public static final int LANES = 4;
    /**
     * AUTO picks DIRECT when each group has at most this many output channels (depthwise layers):
     * there im2col + GEMM runs one single-row GEMM per group. Measured with ConvBenchmark (benchmarks
     * module, 2026-11-24, noisy shared machine, ops/s im2col vs direct): depthwise 3x3 32 ch 14x14
     * 358 vs 454 and 314 vs 414; LeNet conv1 443 vs 435 and 564 vs 317; 1-ch 3x3 to 8 ch 1808 vs 726;
     * LeNet conv2 806 vs 68; 32 to 32 ch 3x3 361 vs 24.
     */
    static final int DIRECT_MAX_OUTPUTS_PER_GROUP = 1;
    /**
     * AUTO picks PADDED for unit strides and dilations, one group, at most this many column-matrix
     * rows (C KH KW), at most {@link #PADDED_MAX_OUTPUTS} output channels and output rows at least
     * {@link #PADDED_MIN_WIDTH} wide: a first layer such as LeNet's (1 channel, 5 x 5, 6 outputs),
     * whose column matrix is 25 times its input and too short for the GEMM to repay writing it.
     * ConvBenchmark.forwardAndWeightGradient (64 samples, 2026-12-02, PADDED against im2col, ops/s):
     * 1 to 6 channels 5x5 padding 2 at 28x28 1652 vs 1196, unpadded at 32x32 1628 vs 1015, 3x3
     * 3456 vs 2573; with more outputs than one register tile of 6 the direct weight gradient loses:
     * 1 to 8 3x3 1864 vs 2243, 1 to 16 5x5 501 vs 561, 1 to 32 3x3 531 vs 499, 17 to 16 1x1 365 vs
     * 701 (the forward alone is faster in every one of these, 1.2x to 4.4x).
     */
    static final int PADDED_MAX_ROWS = 32;
    /** Most output channels AUTO gives to PADDED: one register tile of the direct kernels. */
    static final int PADDED_MAX_OUTPUTS = 6;
    /** Narrowest output row AUTO gives to PADDED: one 512-bit vector. */
    static final int PADDED_MIN_WIDTH = 16;
    /**
     * Fewest taps (C KH KW) for AUTO to pick LANES. ConvBenchmark (64 samples, 2026-12-02, ops/s of
     * forward and both gradients, im2col against LANES): LeNet's 6->16 5x5 at 14x14 (150 taps) 339
     * vs 657, 32->32 3x3 at 14x14 pad 1 (288 taps, 32 samples) 130 vs 237; one input channel (9 and
     * 25 taps) loses: 1->32 3x3 290 vs 89, 1->8 3x3 1022 vs 570, 1->6 5x5 pad 2 438 vs 379.
     */
    static final int LANES_MIN_TAPS = 64;

    private static final int[] NO_INTS = new int[0];

    private ConvOps() {
    }

    static void register() {
        OpRegistry.executor(Op.CONV2D, ConvOps::conv2dForward);
        OpRegistry.executor(Op.CONV2D_BACKWARD_INPUT, ConvOps::conv2dBackwardInput);
        OpRegistry.executor(Op.CONV2D_BACKWARD_WEIGHT, ConvOps::conv2dBackwardWeight);
        OpRegistry.executor(Op.ADD_CHANNEL_BIAS, ConvOps::addChannelBiasForward);
        OpRegistry.executor(Op.SUM_CHANNELS, ConvOps::sumChannelsForward);
        OpRegistry.executor(Op.RESHAPE, (n, b) -> System.arraycopy(b.data(n.input(0)), b.offset(n.input(0)),
                b.data(n), b.offset(n), n.shape().size()));
        OpRegistry.rule(Op.CONV2D, (g, n, up) -> {
            Node dx = g.node(Op.CONV2D_BACKWARD_INPUT, List.of(up, n.input(1)), n.input(0).shape(), "", ints(n), 0f,
                    ConvGeometry.scratchFloats(ints(n), Op.CONV2D_BACKWARD_INPUT));
            Node dw = g.node(Op.CONV2D_BACKWARD_WEIGHT, List.of(n.input(0), up, n), n.input(1).shape(), "", ints(n), 0f,
                    ConvGeometry.scratchFloats(ints(n), Op.CONV2D_BACKWARD_WEIGHT));
            return n.inputs().size() == 3 ? new Node[] {dx, dw, sumChannels(g, up)} : new Node[] {dx, dw};
        });
        OpRegistry.rule(Op.ADD_CHANNEL_BIAS, (g, n, up) -> new Node[] {up, sumChannels(g, up)});
        OpRegistry.rule(Op.RESHAPE, (g, n, up) -> new Node[] {reshape(g, up, n.input(0).shape())});
        PoolingOps.register();
        BatchNormOps.register();
        DropoutOps.register();
        PointwiseLossOps.register();
    }

    /**
     * Convolution (cross-correlation, as in PyTorch) of x [B, C, H, W] with w [O, C/groups, KH, KW}.
     * Checks that C and O are divisible by groups, that C matches the weight, and that the output is
     * at least 1 x 1; errors name both shapes.
     */
    public static Node conv2d(Graph g, Node x, Node w, int strideH, int strideW, int padH, int padW,
                              int dilationH, int dilationW, int groups) {
        return conv2d(g, x, w, strideH, strideW, padH, padW, dilationH, dilationW, groups, AUTO);
    }

    /** As {@link #conv2d(Graph, Node, Node, int, int, int, int, int, int, int)} with a forced forward strategy. */
    public static Node conv2d(Graph g, Node x, Node w, int strideH, int strideW, int padH, int padW,
                              int dilationH, int dilationW, int groups, int strategy) {
        return conv2d(g, x, w, null, strideH, strideW, padH, padW, dilationH, dilationW, groups, strategy);
    }

    /**
     * As above, plus bias[o] on output channel o when {@code bias} [O] is not null, added as the
     * output is written (the same as {@link #addChannelBias} on the result, without its pass).
     */
    public static Node conv2d(Graph g, Node x, Node w, Node bias, int strideH, int strideW, int padH, int padW,
                              int dilationH, int dilationW, int groups, int strategy) {
        boolean unit = strideH == 1 && strideW == 1 && dilationH == 1 && dilationW == 1;
        int kh = w.shape().dim(2);
        int kw = w.shape().dim(3);
        if (strategy < AUTO || strategy > LANES || strategy == DIRECT && (strideW != 1 || dilationW != 1)
                || strategy == PADDED && (!unit || groups != 1)
                || strategy == LANES && (!unit || groups != 1 || padH >= kh || padW >= kw)) {
            throw new IllegalArgumentException("conv2d strategy : " + strategy + " with stride [" + strideH + ", "
                    + strideW + "], dilation [" + dilationH + ", " + dilationW + "] and groups " + groups
                    + " (expected: AUTO, IM2COL, DIRECT with column stride and dilation 1, or PADDED with unit"
                    + " strides and dilations and one group, or LANES with unit strides and dilations, one group and"
                    + " padding below the kernel size)");
        }
        Graph.requireRank(x, 4, "conv2d input");
        Graph.requireRank(w, 4, "conv2d weight");
        positive("conv2d stride", strideH, strideW);
        positive("conv2d dilation", dilationH, dilationW);
        if (padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d padding : [" + padH + ", " + padW + "] (expected: >= 0)");
        }
        int c = x.shape().dim(1);
        int o = w.shape().dim(0);
        if (groups < 1 || c % groups != 0 || o % groups != 0) {
            throw new IllegalArgumentException("conv2d groups : " + groups + " for input " + x.shape() + " and weight "
                    + w.shape() + " (expected: >= 1, dividing both input channels and output channels)");
        }
        if (w.shape().dim(1) * groups != c) {
            throw new IllegalArgumentException("conv2d input " + x.shape() + " has " + c + " channels (expected: "
                    + w.shape().dim(1) * groups + ", from weight " + w.shape() + " and groups " + groups + ")");
        }
        int[] attrs = ConvGeometry.attributes(x.shape().dims(), w.shape().dims(), strideH, strideW, padH, padW,
                dilationH, dilationW, groups);
        int oh = attrs[ConvGeometry.OH];
        int ow = attrs[ConvGeometry.OW];
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("conv2d input " + x.shape() + " is too small for weight " + w.shape()
                    + " with padding [" + padH + ", " + padW + "] and dilation [" + dilationH + ", " + dilationW
                    + "] (expected: an output of at least 1 x 1)");
        }
        long perSample = ConvGeometry.floatsPerSample(attrs);
        if (perSample > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("conv2d column matrix of input " + x.shape() + " and weight " + w.shape()
                    + " has " + perSample + " elements per sample with the output (expected: < 2^31)");
        }
        attrs[ConvGeometry.CHUNK] = ConvGeometry.chunkSamples(x.shape().dim(0), perSample);
        attrs[ConvGeometry.STRATEGY] = strategy;
        attrs[ConvGeometry.LANES] = lanes(attrs) ? 1 : 0;
        attrs[ConvGeometry.PADDED] = attrs[ConvGeometry.LANES] == 0 && padded(attrs) ? 1 : 0;
        attrs[ConvGeometry.CACHED] = !direct(attrs) && attrs[ConvGeometry.PADDED] == 0
                && attrs[ConvGeometry.LANES] == 0 && ConvGeometry.cacheable(attrs) ? 1 : 0;
        Shape out = Shape.of(x.shape().dim(0), o, oh, ow);
        List<Node> inputs = List.of(x, w);
        if (bias != null) {
            Graph.requireRank(bias, 1, "conv2d bias");
            if (bias.shape().dim(0) != o) {
                throw new IllegalArgumentException("conv2d bias " + bias.shape() + " for weight " + w.shape()
                        + " (expected: [" + o + "], one per output channel)");
            }
            inputs = List.of(x, w, bias);
        }
        return g.node(Op.CONV2D, inputs, out, "", attrs, 0f, ConvGeometry.scratchFloats(attrs, Op.CONV2D));
    }

    /** x [B, C, ...] plus bias[c] on channel c. */
    public static Node addChannelBias(Graph g, Node x, Node bias) {
        Graph.requireRank(bias, 1, "addChannelBias bias");
        if (x.shape().rank() < 2 || x.shape().dim(1) != bias.shape().dim(0)) {
            throw new IllegalArgumentException("addChannelBias shape mismatch: x=" + x.shape() + ", bias="
                    + bias.shape() + " (expected: x [B, C, ...] with C = bias length)");
        }
        return g.node(Op.ADD_CHANNEL_BIAS, List.of(x, bias), x.shape(), "", NO_INTS, 0f, 0);
    }

    /**
     * The per-channel sum of x [B, C, ...], shape [C]. Its scratch holds one sample's worth, the sum
     * over the batch, so the long reduction runs in the vectorized {@code sumRows} kernel.
     */
    public static Node sumChannels(Graph g, Node x) {
        if (x.shape().rank() < 2) {
            throw new IllegalArgumentException("sumChannels x shape " + x.shape() + " (expected: [B, C, ...])");
        }
        return g.node(Op.SUM_CHANNELS, List.of(x), Shape.of(x.shape().dim(1)), "", NO_INTS, 0f,
                x.shape().size() / x.shape().dim(0));
    }

    /** x with another shape of the same number of elements (e.g. flatten [B, C, H, W] to [B, C H W]). */
    public static Node reshape(Graph g, Node x, Shape shape) {
        if (shape.size() != x.shape().size()) {
            throw new IllegalArgumentException("reshape of x=" + x.shape() + " to " + shape
                    + " (expected: the same number of elements, " + x.shape().size() + ")");
        }
        return g.node(Op.RESHAPE, List.of(x), shape, "", NO_INTS, 0f, 0);
    }

    static void positive(String what, int a, int b) {
        if (a < 1 || b < 1) {
            throw new IllegalArgumentException(what + " : [" + a + ", " + b + "] (expected: >= 1)");
        }
    }

    static int[] ints(Node n) {
        int[] a = new int[n.intAttrCount()];
        for (int i = 0; i < a.length; i++) {
            a[i] = n.intAttr(i);
        }
        return a;
    }

    /**
     * Whether the forward pass accumulates shifted input rows directly instead of im2col + GEMM: when
     * forced, or (AUTO) for stride-1 undilated columns and one output channel per group (depthwise),
     * the only shapes where it measured faster. A rule of shape only, so a run is reproducible bit for bit.
     */
    static boolean direct(Node n) {
        return direct(n.intAttr(ConvGeometry.STRATEGY), n.intAttr(ConvGeometry.O), n.intAttr(ConvGeometry.GROUPS),
                n.intAttr(ConvGeometry.STRIDE_W), n.intAttr(ConvGeometry.DILATION_W));
    }

    private static boolean direct(int[] attrs) {
        return direct(attrs[ConvGeometry.STRATEGY], attrs[ConvGeometry.O], attrs[ConvGeometry.GROUPS],
                attrs[ConvGeometry.STRIDE_W], attrs[ConvGeometry.DILATION_W]);
    }

    private static boolean direct(int strategy, int o, int groups, int strideW, int dilationW) {
        if (strategy != AUTO) {
            return strategy == DIRECT;
        }
        return strideW == 1 && dilationW == 1 && o / groups <= DIRECT_MAX_OUTPUTS_PER_GROUP;
    }

    /** Whether conv2d node n (or one of its gradients) runs {@link #LANES}. */
    static boolean lanes(Node n) {
        return n.intAttr(ConvGeometry.LANES) == 1;
    }

    /**
     * The LANES rule, resolved once into the LANES attribute: when forced, or (AUTO) when neither
     * {@link #direct} nor {@link #padded}, the shape has unit strides and dilations, one group, padding
     * below the kernel size, at least {@link #LANES_MIN_TAPS} taps (C KH KW) and the batch fills at
     * least 3/4 of its lanes (a multiple of 32). A rule of shape only.
     */
    private static boolean lanes(int[] a) {
        int strategy = a[ConvGeometry.STRATEGY];
        if (strategy != AUTO) {
            return strategy == LANES;
        }
        return !direct(a) && !padded(a) && unitStridesOneGroup(a)
                && a[ConvGeometry.C] * a[ConvGeometry.KH] * a[ConvGeometry.KW] >= LANES_MIN_TAPS
                && 4L * a[ConvGeometry.BATCH] >= 3L * ConvGeometry.laneCount(a[ConvGeometry.BATCH])
                && a[ConvGeometry.PAD_H] < a[ConvGeometry.KH] && a[ConvGeometry.PAD_W] < a[ConvGeometry.KW];
    }

    /** Unit strides and dilations and one group: what the PADDED and LANES kernels assume. */
    private static boolean unitStridesOneGroup(int[] a) {
        return a[ConvGeometry.GROUPS] == 1 && a[ConvGeometry.STRIDE_H] == 1 && a[ConvGeometry.STRIDE_W] == 1
                && a[ConvGeometry.DILATION_H] == 1 && a[ConvGeometry.DILATION_W] == 1;
    }

    /** Whether the forward pass and the weight gradient of conv2d node n run {@link #PADDED}. */
    static boolean padded(Node n) {
        return n.intAttr(ConvGeometry.PADDED) == 1;
    }

    /**
     * The rule resolved once into the PADDED attribute: when forced, or (AUTO) when not
     * {@link #direct} and the shape has unit strides and dilations, one group, at most
     * {@link #PADDED_MAX_ROWS} column rows, at most {@link #PADDED_MAX_OUTPUTS} output channels and
     * output rows of at least {@link #PADDED_MIN_WIDTH}. A rule of shape only.
     */
    private static boolean padded(int[] a) {
        int strategy = a[ConvGeometry.STRATEGY];
        if (strategy != AUTO) {
            return strategy == PADDED;
        }
        return !direct(a) && unitStridesOneGroup(a)
                && a[ConvGeometry.C] * a[ConvGeometry.KH] * a[ConvGeometry.KW] <= PADDED_MAX_ROWS
                && a[ConvGeometry.O] <= PADDED_MAX_OUTPUTS
                && a[ConvGeometry.OW] >= PADDED_MIN_WIDTH;
    }

    private static void conv2dForward(Node n, Buffers b) {
        if (lanes(n)) {
            LaneConvOps.forward(n, b);
            return;
        }
        conv2dWithoutBias(n, b);
        if (n.inputs().size() == 3) {
            addChannelBias(n.shape(), b.data(n), b.offset(n), b.data(n.input(2)), b.offset(n.input(2)), b.data(n),
                    b.offset(n));
        }
    }

    /** The non-LANES forward paths, which write the product only (LANES adds the bias as it writes). */
    private static void conv2dWithoutBias(Node n, Buffers b) {
        if (direct(n)) {
            conv2dDirect(n, b);
            return;
        }
        if (padded(n)) {
            Node xn = n.input(0);
            float[] xp = b.scratch(n);
            ConvGeometry.pad(n, b.data(xn), b.offset(xn), xp);
            b.kernels().convValid(n.intAttr(ConvGeometry.BATCH), n.intAttr(ConvGeometry.C), ConvGeometry.paddedHeight(n),
                    ConvGeometry.paddedWidth(n), xp, 0, n.intAttr(ConvGeometry.O), n.intAttr(ConvGeometry.KH),
                    n.intAttr(ConvGeometry.KW), b.data(n.input(1)), b.offset(n.input(1)), n.intAttr(ConvGeometry.OH),
                    n.intAttr(ConvGeometry.OW), b.data(n), b.offset(n));
            return;
        }
        Node xn = n.input(0);
        Node wn = n.input(1);
        float[] scratch = b.scratch(n);
        int batch = n.intAttr(ConvGeometry.BATCH);
        int groups = n.intAttr(ConvGeometry.GROUPS);
        int o = n.intAttr(ConvGeometry.O);
        int p = ConvGeometry.positions(n);
        int k = ConvGeometry.kernelRows(n);
        int og = o / groups;
        int kg = k / groups;
        int chunk = ConvGeometry.chunkSamples(n);
        boolean cached = n.intAttr(ConvGeometry.CACHED) == 1;
        int xSample = xn.shape().size() / batch;
        int product = (cached ? batch : chunk) * k * p;
        for (int s0 = 0; s0 < batch; s0 += chunk) {
            int samples = Math.min(chunk, batch - s0);
            int ld = samples * p;
            int col = cached ? s0 * k * p : 0;
            for (int s = 0; s < samples; s++) {
                ConvGeometry.im2col(n, b.data(xn), b.offset(xn) + (s0 + s) * xSample, scratch, col + s * p, ld);
            }
            for (int gr = 0; gr < groups; gr++) {
                b.kernels().gemm(false, false, og, ld, kg, 1f, b.data(wn), b.offset(wn) + gr * og * kg, kg,
                        scratch, col + gr * kg * ld, ld, 0f, scratch, product + gr * og * ld, ld);
            }
            ConvGeometry.scatterSamples(samples, o, p, scratch, product, b.data(n), b.offset(n) + s0 * o * p);
        }
    }

    /**
     * out[s, o, oh, :] += w[o, c, kh, kw] * x[s, c, oh sh + kh dh - ph, : + kw - pw] over the valid
     * output columns, one axpy per (o, c, kh, kw, oh): no column matrix.
     */
    private static void conv2dDirect(Node n, Buffers b) {
        Node xn = n.input(0);
        Node wn = n.input(1);
        float[] x = b.data(xn);
        float[] w = b.data(wn);
        float[] out = b.data(n);
        int xo = b.offset(xn);
        int wo = b.offset(wn);
        int oo = b.offset(n);
        int c = n.intAttr(ConvGeometry.C), h = n.intAttr(ConvGeometry.H), wd = n.intAttr(ConvGeometry.W);
        int o = n.intAttr(ConvGeometry.O), kh = n.intAttr(ConvGeometry.KH), kw = n.intAttr(ConvGeometry.KW);
        int oh = n.intAttr(ConvGeometry.OH), ow = n.intAttr(ConvGeometry.OW);
        int sh = n.intAttr(ConvGeometry.STRIDE_H), dh = n.intAttr(ConvGeometry.DILATION_H);
        int ph = n.intAttr(ConvGeometry.PAD_H), pw = n.intAttr(ConvGeometry.PAD_W);
        int groups = n.intAttr(ConvGeometry.GROUPS);
        int cg = c / groups;
        int og = o / groups;
        Arrays.fill(out, oo, oo + n.shape().size(), 0f);
        for (int s = 0; s < n.intAttr(ConvGeometry.BATCH); s++) {
            for (int oc = 0; oc < o; oc++) {
                int outPlane = oo + (s * o + oc) * oh * ow;
                for (int ci = 0; ci < cg; ci++) {
                    int inPlane = xo + (s * c + (oc / og) * cg + ci) * h * wd;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            float weight = w[wo + ((oc * cg + ci) * kh + i) * kw + j];
                            int first = Math.max(0, pw - j);
                            int last = Math.min(ow, wd + pw - j);
                            for (int r = 0; r < oh && first < last; r++) {
                                int ih = r * sh + i * dh - ph;
                                if (ih >= 0 && ih < h) {
                                    b.kernels().axpy(last - first, weight, x, inPlane + ih * wd + first + j - pw,
                                            out, outPlane + r * ow + first);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Per chunk of samples: the upstream gathered to [O, S P], dcol_g = W_g^T up_g per group, then
     * col2im accumulates dcol into dx.
     */
    private static void conv2dBackwardInput(Node n, Buffers b) {
        if (lanes(n)) {
            LaneConvOps.backwardInput(n, b);
            return;
        }
        Node up = n.input(0);
        Node wn = n.input(1);
        float[] scratch = b.scratch(n);
        int batch = n.intAttr(ConvGeometry.BATCH);
        int groups = n.intAttr(ConvGeometry.GROUPS);
        int o = n.intAttr(ConvGeometry.O);
        int p = ConvGeometry.positions(n);
        int k = ConvGeometry.kernelRows(n);
        int og = o / groups;
        int kg = k / groups;
        int chunk = ConvGeometry.chunkSamples(n);
        int xSample = n.shape().size() / batch;
        int w = n.intAttr(ConvGeometry.W);
        boolean narrow = ConvGeometry.narrow(w, n.intAttr(ConvGeometry.STRIDE_W));
        // A narrow sample's gradient accumulates in the strided plane after the columns and upstream.
        int strided = chunk * (k + o) * p;
        int rows = n.intAttr(ConvGeometry.C) * n.intAttr(ConvGeometry.H);
        if (!narrow) {
            Arrays.fill(b.data(n), b.offset(n), b.offset(n) + n.shape().size(), 0f);
        }
        for (int s0 = 0; s0 < batch; s0 += chunk) {
            int samples = Math.min(chunk, batch - s0);
            int ld = samples * p;
            int upstream = chunk * k * p;
            ConvGeometry.gatherSamples(samples, o, p, b.data(up), b.offset(up) + s0 * o * p, scratch, upstream);
            for (int gr = 0; gr < groups; gr++) {
                b.kernels().gemm(true, false, kg, ld, og, 1f, b.data(wn), b.offset(wn) + gr * og * kg, kg,
                        scratch, upstream + gr * og * ld, ld, 0f, scratch, gr * kg * ld, ld);
            }
            for (int s = 0; s < samples; s++) {
                int dx = b.offset(n) + (s0 + s) * xSample;
                if (!narrow) {
                    ConvGeometry.col2im(b.kernels(), n, scratch, s * p, ld, b.data(n), dx, w);
                    continue;
                }
                Arrays.fill(scratch, strided, strided + rows * ConvGeometry.NARROW_STRIDE, 0f);
                ConvGeometry.col2im(b.kernels(), n, scratch, s * p, ld, scratch, strided, ConvGeometry.NARROW_STRIDE);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(scratch, strided + r * ConvGeometry.NARROW_STRIDE, b.data(n), dx + r * w, w);
                }
            }
        }
    }

    /**
     * dW_g = sum over chunks of up_g col_g^T, with the chunk's samples side by side in both; the
     * columns are the forward's (input 2) when it kept them, else im2col runs again here.
     */
    private static void conv2dBackwardWeight(Node n, Buffers b) {
        Node xn = n.input(0);
        Node up = n.input(1);
        if (lanes(n)) {
            LaneConvOps.backwardWeight(n, b);
            return;
        }
        if (padded(n)) {
            Arrays.fill(b.data(n), b.offset(n), b.offset(n) + n.shape().size(), 0f);
            b.kernels().convValidWeightGradient(n.intAttr(ConvGeometry.BATCH), n.intAttr(ConvGeometry.C),
                    ConvGeometry.paddedHeight(n), ConvGeometry.paddedWidth(n), b.scratch(n.input(2)), 0,
                    n.intAttr(ConvGeometry.O), n.intAttr(ConvGeometry.KH), n.intAttr(ConvGeometry.KW), b.data(up),
                    b.offset(up), n.intAttr(ConvGeometry.OH), n.intAttr(ConvGeometry.OW), b.data(n), b.offset(n));
            return;
        }
        boolean cached = n.intAttr(ConvGeometry.CACHED) == 1;
        float[] scratch = b.scratch(n);
        float[] columns = cached ? b.scratch(n.input(2)) : scratch;
        int batch = n.intAttr(ConvGeometry.BATCH);
        int groups = n.intAttr(ConvGeometry.GROUPS);
        int o = n.intAttr(ConvGeometry.O);
        int p = ConvGeometry.positions(n);
        int k = ConvGeometry.kernelRows(n);
        int og = o / groups;
        int kg = k / groups;
        int chunk = ConvGeometry.chunkSamples(n);
        int xSample = xn.shape().size() / batch;
        int upstream = cached ? 0 : chunk * k * p;
        for (int s0 = 0; s0 < batch; s0 += chunk) {
            int samples = Math.min(chunk, batch - s0);
            int ld = samples * p;
            int col = cached ? s0 * k * p : 0;
            if (!cached) {
                for (int s = 0; s < samples; s++) {
                    ConvGeometry.im2col(n, b.data(xn), b.offset(xn) + (s0 + s) * xSample, scratch, s * p, ld);
                }
            }
            ConvGeometry.gatherSamples(samples, o, p, b.data(up), b.offset(up) + s0 * o * p, scratch, upstream);
            float beta = s0 == 0 ? 0f : 1f;
            for (int gr = 0; gr < groups; gr++) {
                b.kernels().gemm(false, true, og, kg, ld, 1f, scratch, upstream + gr * og * ld, ld,
                        columns, col + gr * kg * ld, ld, beta, b.data(n), b.offset(n) + gr * og * kg, kg);
            }
        }
    }

    private static void addChannelBiasForward(Node n, Buffers b) {
        addChannelBias(n.shape(), b.data(n.input(0)), b.offset(n.input(0)), b.data(n.input(1)), b.offset(n.input(1)),
                b.data(n), b.offset(n));
    }

    /** out = x [B, C, ...] of shape s plus bias[c] on channel c (out may be x). */
    private static void addChannelBias(Shape s, float[] x, int xo, float[] bias, int bo, float[] out, int oo) {
        int channels = s.dim(1);
        int inner = s.size() / (s.dim(0) * channels);
        for (int i = 0; i < s.dim(0) * channels; i++) {
            float v = bias[bo + i % channels];
            int base = i * inner;
            for (int j = 0; j < inner; j++) {
                out[oo + base + j] = x[xo + base + j] + v;
            }
        }
    }

    /** Sums x [B, C, inner] over the batch into scratch [C, inner] (vectorized), then each channel's inner. */
    private static void sumChannelsForward(Node n, Buffers b) {
        Shape s = n.input(0).shape();
        int channels = s.dim(1);
        int inner = s.size() / (s.dim(0) * channels);
        float[] batchSum = b.scratch(n);
        b.kernels().sumRows(s.dim(0), channels * inner, b.data(n.input(0)), b.offset(n.input(0)), batchSum, 0);
        for (int c = 0; c < channels; c++) {
            double acc = 0;
            for (int j = c * inner; j < (c + 1) * inner; j++) {
                acc += batchSum[j];
            }
            b.data(n)[b.offset(n) + c] = (float) acc;
        }
    }
}
