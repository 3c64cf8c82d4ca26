package dev.lamina.engine.autodiff;

import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * Normalizations composed from other ops: group normalization is a layer norm over each group's
 * values (with a fixed unit scale and zero shift) followed by a per-channel scale and shift. The one
 * op of its own, MUL_CHANNEL, scales each channel of a [B, C, ...] tensor.
 */
public final class NormOps {
    private static final int[] NO_INTS = new int[0];

    private NormOps() {
    }

    static void register() {
        OpRegistry.executor(Op.MUL_CHANNEL, NormOps::mulChannel);
        OpRegistry.rule(Op.MUL_CHANNEL, (g, n, up) -> new Node[] {
            mulChannel(g, up, n.input(1)), ConvOps.sumChannels(g, g.mul(up, n.input(0)))});
    }

    /** out[b, c, ...] = x[b, c, ...] * scale[c]. */
    public static Node mulChannel(Graph g, Node x, Node scale) {
        if (x.shape().rank() < 2 || scale.shape().rank() != 1 || scale.shape().dim(0) != x.shape().dim(1)) {
            throw new IllegalArgumentException("mulChannel shape mismatch: x=" + x.shape() + ", scale=" + scale.shape()
                    + " (expected: scale of length x.dim(1))");
        }
        return g.node(Op.MUL_CHANNEL, List.of(x, scale), x.shape(), "", NO_INTS, 0f, 0);
    }

    /**
     * Group normalization of x [B, C, ...] over {@code groups} groups of C / groups channels, with a
     * per-channel scale gamma [C] and shift beta [C] (PyTorch's GroupNorm).
     */
    public static Node groupNorm(Graph g, Node x, Node gamma, Node beta, int groups, float eps) {
        Shape s = x.shape();
        if (s.rank() < 2 || groups < 1 || s.dim(1) % groups != 0) {
            throw new IllegalArgumentException("groupNorm x=" + s + " with " + groups + " groups (expected: rank >= 2 and"
                    + " channels divisible by groups)");
        }
        int b = s.dim(0);
        int perGroup = s.size() / (b * groups);
        Node rows = ConvOps.reshape(g, x, Shape.of(b * groups, perGroup));
        Node normalized = LayerNormOps.layerNorm(g, rows, g.fill(Shape.of(perGroup), 1f), g.fill(Shape.of(perGroup), 0f), eps);
        Node back = ConvOps.reshape(g, normalized, s);
        return ConvOps.addChannelBias(g, mulChannel(g, back, gamma), beta);
    }

    private static void mulChannel(Node n, Buffers b) {
        Shape s = n.shape();
        int batch = s.dim(0);
        int channels = s.dim(1);
        int inner = s.size() / (batch * channels);
        float[] x = b.data(n.input(0));
        int xo = b.offset(n.input(0));
        float[] scale = b.data(n.input(1));
        int so = b.offset(n.input(1));
        float[] out = b.data(n);
        int o = b.offset(n);
        for (int bi = 0; bi < batch; bi++) {
            for (int c = 0; c < channels; c++) {
                float k = scale[so + c];
                int base = (bi * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    out[o + base + i] = x[xo + base + i] * k;
                }
            }
        }
    }
}
