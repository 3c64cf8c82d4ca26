package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.kernel.ScalarKernels;
import dev.lamina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Fused multi-head scaled dot-product self-attention. The input is the packed projection qkv
 * [B, T, 3C] (q, k, v side by side, as PyTorch's {@code in_proj_weight} produces them), each split
 * into heads of d = C / heads channels; the output [B, T, C] has the heads side by side. Per batch
 * row and head: S = Q K^T / sqrt(d), masked (causal: key t2 > query t; padding: mask[b, t2] == 0),
 * P = softmax(S) saved transposed (key-major, as {@link Kernels#attentionHead} writes it) in scratch
 * [B, heads, T, T], out = P V. A query that may see no key gets zeros.
 */
public final class AttentionOps {
    private static final int HEADS = 0;
    private static final int CAUSAL = 1;

    private AttentionOps() {
    }

    /** Self-attention without a padding mask. */
    public static Node attention(Graph g, Node qkv, int heads, boolean causal) {
        return attention(g, qkv, null, heads, causal);
    }

    /**
     * Self-attention of qkv [B, T, 3C]; {@code mask} (may be null) is [B, T] with 1 for a real key and
     * 0 for padding.
     */
    public static Node attention(Graph g, Node qkv, Node mask, int heads, boolean causal) {
        Graph.requireRank(qkv, 3, "attention qkv");
        int bsz = qkv.shape().dim(0);
        int t = qkv.shape().dim(1);
        int c3 = qkv.shape().dim(2);
        if (heads < 1 || c3 % (3 * heads) != 0) {
            throw new IllegalArgumentException("attention qkv=" + qkv.shape() + ", heads=" + heads
                    + " (expected: last dimension 3C with C divisible by heads)");
        }
        List<Node> inputs = new ArrayList<>(List.of(qkv));
        if (mask != null) {
            if (!mask.shape().equals(Shape.of(bsz, t))) {
                throw new IllegalArgumentException("attention mask shape mismatch: qkv=" + qkv.shape() + ", mask="
                        + mask.shape() + " (expected: mask [" + bsz + ", " + t + "])");
            }
            inputs.add(mask);
        }
        return g.node(Op.ATTENTION, inputs, Shape.of(bsz, t, c3 / 3), "", new int[] {heads, causal ? 1 : 0}, 0f,
                bsz * heads * t * t);
    }

    static void register() {
        OpRegistry.executor(Op.ATTENTION, AttentionOps::forward);
        OpRegistry.executor(Op.ATTENTION_BACKWARD, AttentionOps::backward);
        OpRegistry.rule(Op.ATTENTION, (g, n, up) -> {
            Node qkv = n.input(0);
            int t = qkv.shape().dim(1);
            List<Node> ins = new ArrayList<>(List.of(n, qkv, up));
            Node[] grads = new Node[n.inputs().size()];
            grads[0] = g.node(Op.ATTENTION_BACKWARD, ins, qkv.shape(), "", new int[] {n.intAttr(HEADS), n.intAttr(CAUSAL)},
                    0f, t * t);
            return grads;
        });
    }

    private static void forward(Node n, Buffers b) {
        Node qkv = n.input(0);
        int bsz = qkv.shape().dim(0);
        int t = qkv.shape().dim(1);
        int c = n.shape().dim(2);
        int heads = n.intAttr(HEADS);
        boolean causal = n.intAttr(CAUSAL) != 0;
        int d = c / heads;
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] x = in(b, n, 0);
        int xo = off(b, n, 0);
        float[] mask = n.inputs().size() > 1 ? in(b, n, 1) : null;
        int mo = n.inputs().size() > 1 ? off(b, n, 1) : 0;
        float[] probs = b.scratch(n);
        float[] out = b.data(n);
        Kernels k = b.kernels();
        for (int bi = 0; bi < bsz; bi++) {
            int row = xo + bi * t * 3 * c;
            sink += touch(x, row, row + t * 3 * c);
            for (int h = 0; h < heads; h++) {
                int p = (bi * heads + h) * t * t;
                int o = b.offset(n) + bi * t * c + h * d;
                if (mask == null) {
                    k.attentionHead(t, d, causal, scale, x, row + h * d, row + c + h * d, row + 2 * c + h * d, 3 * c,
                            probs, p, out, o, c);
                    continue;
                }
                k.gemm(false, true, t, t, d, scale, x, row + h * d, 3 * c, x, row + c + h * d, 3 * c, 0f, probs, p, t);
                for (int q = 0; q < t; q++) {
                    maskedSoftmax(probs, p + q * t, t, causal ? q + 1 : t, mask, mo + bi * t);
                }
                ScalarKernels.transposeSquare(t, probs, p);
                k.gemm(true, false, t, d, t, 1f, probs, p, t, x, row + 2 * c + h * d, 3 * c, 0f, out, o, c);
            }
        }
    }

    /** Keeps {@link #touch}'s loads alive; never read. Threads may race on it harmlessly. */
    private static float sink;

    /**
     * Reads one float per 64-byte line of a[from, to), in order, and returns their sum. Run before a
     * batch row's heads, it pulls that row's qkv (and in backward its g and P) into L2 as sequential
     * streams, which the hardware prefetchers follow; the heads then read them a few columns at a time
     * with strides of a whole row, which they do not. Measured (bench transformer, 1 thread, 3 pairs):
     * 847 -> 876 sequences/s; ATTENTION 1.05 -> 0.94 ms and its backward 1.55 -> 1.20 ms per layer.
     */
    private static float touch(float[] a, int from, int to) {
        float acc = 0f;
        for (int i = from; i < to; i += 16) {
            acc += a[i];
        }
        return acc;
    }

    /** Softmax over the first {@code visible} entries of a row, skipping masked keys; the rest become 0. */
    private static void maskedSoftmax(float[] s, int off, int len, int visible, float[] mask, int maskOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
            if (mask[maskOff + j] != 0f) {
                max = Math.max(max, s[off + j]);
            }
        }
        double sum = 0;
        for (int j = 0; j < len; j++) {
            boolean keep = j < visible && mask[maskOff + j] != 0f;
            float e = keep ? (float) Math.exp(s[off + j] - max) : 0f;
            s[off + j] = e;
            sum += e;
        }
        float inv = sum > 0 ? (float) (1.0 / sum) : 0f;
        for (int j = 0; j < len; j++) {
            s[off + j] *= inv;
        }
    }

    /**
     * dP = dO V^T, dS = P (dP - rowsum(dP P)), dQ = dS K / sqrt(d), dK = dS^T Q / sqrt(d), dV = P^T dO.
     * Masked entries have P = 0, so they pass no gradient.
     */
    private static void backward(Node n, Buffers b) {
        Node attn = n.input(0);
        Node qkv = n.input(1);
        int bsz = qkv.shape().dim(0);
        int t = qkv.shape().dim(1);
        int c = attn.shape().dim(2);
        int heads = n.intAttr(HEADS);
        boolean causal = n.intAttr(CAUSAL) != 0;
        int d = c / heads;
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] probs = b.scratch(attn);
        float[] x = in(b, n, 1);
        int xo = off(b, n, 1);
        float[] g = in(b, n, 2);
        int go = off(b, n, 2);
        float[] ds = b.scratch(n);
        float[] out = b.data(n);
        int oo = b.offset(n);
        Kernels k = b.kernels();
        for (int bi = 0; bi < bsz; bi++) {
            int row = bi * t * 3 * c;
            int grow = go + bi * t * c;
            sink += touch(x, xo + row, xo + row + t * 3 * c) + touch(g, grow, grow + t * c)
                    + touch(probs, bi * heads * t * t, (bi + 1) * heads * t * t);
            for (int h = 0; h < heads; h++) {
                int qo = xo + row + h * d;
                int dqo = oo + row + h * d;
                k.attentionHeadBackward(t, d, causal, scale, x, qo, qo + c, qo + 2 * c, 3 * c, probs,
                        (bi * heads + h) * t * t, g, grow + h * d, c, ds, 0, out, dqo, dqo + c, dqo + 2 * c, 3 * c);
            }
        }
    }
}
