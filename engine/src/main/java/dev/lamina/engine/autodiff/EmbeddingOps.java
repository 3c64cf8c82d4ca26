package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import dev.lamina.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Token embeddings (a table lookup whose gradient scatter-adds into the table), the sinusoidal
 * position table of "Attention Is All You Need", and the sinusoidal timestep embedding of diffusion
 * models (DDPM / guided-diffusion's {@code timestep_embedding}: cos half first, then sin).
 */
public final class EmbeddingOps {
    private static final int[] NO_INTS = new int[0];
    private static final double LOG_10000 = Math.log(10000.0);

    private EmbeddingOps() {
    }

    /** ids [...] (integer token ids stored as floats) and table [V, C] to [..., C]. */
    public static Node embedding(Graph g, Node ids, Node table) {
        Graph.requireRank(table, 2, "embedding table");
        int[] idDims = ids.shape().dims();
        int[] dims = Arrays.copyOf(idDims, idDims.length + 1);
        dims[idDims.length] = table.shape().dim(1);
        return g.node(Op.EMBEDDING, List.of(ids, table), Shape.of(dims), "", NO_INTS, 0f, 0);
    }

    /** The constant sinusoidal position table [T, C]: sin(t w_i) on channel 2i, cos(t w_i) on 2i + 1, w_i = 10000^(-2i / C). */
    public static Node sinusoidPositions(Graph g, int length, int channels) {
        if (length < 1 || channels < 1) {
            throw new IllegalArgumentException("sinusoidPositions length=" + length + ", channels=" + channels
                    + " (expected: both >= 1)");
        }
        return g.node(Op.SINUSOID_POSITIONS, List.of(), Shape.of(length, channels), "", NO_INTS, 0f, 0);
    }

    /** Timesteps t [B] to [B, C] = [cos(t f_0..f_{C/2-1}), sin(t f_0..)] with f_i = exp(-ln(10000) i / (C/2)). */
    public static Node timeEmbedding(Graph g, Node t, int channels) {
        Graph.requireRank(t, 1, "timeEmbedding t");
        if (channels < 2 || channels % 2 != 0) {
            throw new IllegalArgumentException("timeEmbedding channels : " + channels + " (expected: even, >= 2)");
        }
        return g.node(Op.TIME_EMBEDDING, List.of(t), Shape.of(t.shape().dim(0), channels), "", NO_INTS, 0f, 0);
    }

    static void register() {
        OpRegistry.executor(Op.EMBEDDING, EmbeddingOps::lookup);
        OpRegistry.rule(Op.EMBEDDING, (g, n, up) -> new Node[] {null,
            g.node(Op.EMBEDDING_BACKWARD, List.of(n.input(0), up), n.input(1).shape(), "", NO_INTS, 0f, 0)});
        OpRegistry.executor(Op.EMBEDDING_BACKWARD, EmbeddingOps::scatter);
        OpRegistry.executor(Op.SINUSOID_POSITIONS, EmbeddingOps::positions);
        OpRegistry.executor(Op.TIME_EMBEDDING, EmbeddingOps::time);
        OpRegistry.rule(Op.TIME_EMBEDDING, (g, n, up) -> new Node[] {null});
    }

    /** The table row of the token at position i; throws IllegalArgumentException naming the id otherwise. */
    static int tokenId(float[] ids, int idOff, int i, int vocab) {
        float v = ids[idOff + i];
        int k = (int) v;
        if (k != v || k < 0 || k >= vocab) {
            throw new IllegalArgumentException("token id " + v + " at position " + i + " (expected: an integer in [0, "
                    + vocab + "))");
        }
        return k;
    }

    private static void lookup(Node n, Buffers b) {
        Node table = n.input(1);
        int vocab = table.shape().dim(0);
        int c = table.shape().dim(1);
        int count = n.input(0).shape().size();
        float[] ids = in(b, n, 0);
        int io = off(b, n, 0);
        float[] w = in(b, n, 1);
        int wo = off(b, n, 1);
        for (int i = 0; i < count; i++) {
            System.arraycopy(w, wo + tokenId(ids, io, i, vocab) * c, b.data(n), b.offset(n) + i * c, c);
        }
    }

    private static void scatter(Node n, Buffers b) {
        int vocab = n.shape().dim(0);
        int c = n.shape().dim(1);
        float[] out = b.data(n);
        int oo = b.offset(n);
        Arrays.fill(out, oo, oo + n.shape().size(), 0f);
        int count = n.input(0).shape().size();
        float[] ids = in(b, n, 0);
        int io = off(b, n, 0);
        for (int i = 0; i < count; i++) {
            b.kernels().axpy(c, 1f, in(b, n, 1), off(b, n, 1) + i * c, out, oo + tokenId(ids, io, i, vocab) * c);
        }
    }

    private static void positions(Node n, Buffers b) {
        int length = n.shape().dim(0);
        int c = n.shape().dim(1);
        float[] out = b.data(n);
        int oo = b.offset(n);
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < c; i += 2) {
                double angle = t * Math.exp(-LOG_10000 * i / c);
                out[oo + t * c + i] = (float) Math.sin(angle);
                if (i + 1 < c) {
                    out[oo + t * c + i + 1] = (float) Math.cos(angle);
                }
            }
        }
    }

    private static void time(Node n, Buffers b) {
        int rows = n.shape().dim(0);
        int half = n.shape().dim(1) / 2;
        float[] t = in(b, n, 0);
        int to = off(b, n, 0);
        float[] out = b.data(n);
        int oo = b.offset(n);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < half; i++) {
                double angle = t[to + r] * Math.exp(-LOG_10000 * i / half);
                out[oo + r * 2 * half + i] = (float) Math.cos(angle);
                out[oo + r * 2 * half + half + i] = (float) Math.sin(angle);
            }
        }
    }
}
