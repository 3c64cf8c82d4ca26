package dev.lamina.engine.autodiff;

import java.util.List;

/**
 * Inverted dropout: out = x mask with mask = 0 (probability p) or 1 / (1 - p). The mask of the k-th
 * run of a plan (k = 0, 1, ...) is a pure function of (seed, k, element index): a SplitMix64 hash, so
 * a seed and a step number fix it and no random-number object is allocated. The scratch holds the
 * mask and, after it, the step counter k as two floats (low and high 16-bit halves), which tests
 * may reset to replay a step.
 */
public final class DropoutOps {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private DropoutOps() {
    }

    static void register() {
        OpRegistry.executor(Op.DROPOUT, DropoutOps::forward);
        OpRegistry.executor(Op.DROPOUT_BACKWARD, (n, b) -> b.kernels().mul(n.shape().size(), b.scratch(n.input(0)), 0,
                b.data(n.input(1)), b.offset(n.input(1)), b.data(n), b.offset(n)));
        OpRegistry.rule(Op.DROPOUT, (g, n, up) -> new Node[] {
            g.node(Op.DROPOUT_BACKWARD, List.of(n, up), n.shape(), "", new int[0], 0f, 0)});
    }

    /** Training-mode dropout of x with drop probability {@code p} in [0, 1). */
    public static Node dropout(Graph g, Node x, float p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout rate : " + p + " (expected: in [0, 1))");
        }
        if (x.shape().size() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("dropout input " + x.shape() + " (expected: < 2^31 - 16 elements)");
        }
        int[] ints = {(int) (seed >>> 32), (int) seed};
        return g.node(Op.DROPOUT, List.of(x), x.shape(), "", ints, p, x.shape().size() + 2);
    }

    /** The step counter of a dropout node's scratch (how many times it has run). */
    public static long step(float[] scratch, int size) {
        return (long) scratch[size] | ((long) scratch[size + 1] << 16);
    }

    /** Sets the step counter of a dropout node's scratch, so the next run uses {@code step}'s mask. */
    public static void setStep(float[] scratch, int size, long step) {
        scratch[size] = step & 0xFFFF;
        scratch[size + 1] = step >>> 16;
    }

    /** Whether element i is kept at the given step: a hash of (seed, step, i) compared with p. */
    static boolean keep(long seed, long step, int i, float p) {
        long z = seed + GOLDEN * (step + 1) + 0xBF58476D1CE4E5B9L * (i + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 40) * 0x1.0p-24 >= p;
    }

    private static void forward(Node n, Buffers b) {
        int size = n.shape().size();
        float[] mask = b.scratch(n);
        long step = step(mask, size);
        long seed = ((long) n.intAttr(0) << 32) | (n.intAttr(1) & 0xFFFFFFFFL);
        float p = n.value();
        float kept = 1f / (1f - p);
        for (int i = 0; i < size; i++) {
            mask[i] = keep(seed, step, i, p) ? kept : 0f;
        }
        setStep(mask, size, step + 1);
        b.kernels().mul(size, mask, 0, b.data(n.input(0)), b.offset(n.input(0)), b.data(n), b.offset(n));
    }
}
