package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import dev.lamina.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Shape ops of the sequence family: reshape, permute, slice and concat along a dimension, and a
 * broadcast add of a tensor over leading dimensions (bias or position table over [B, T, C]).
 */
public final class SequenceOps {
    private static final int[] NO_INTS = new int[0];

    private SequenceOps() {
    }

    /** The same elements under {@code shape} (which must have as many elements). */
    public static Node reshape(Graph g, Node x, Shape shape) {
        if (shape.size() != x.shape().size()) {
            throw new IllegalArgumentException("reshape shape mismatch: x=" + x.shape() + ", target=" + shape
                    + " (expected: equal element counts)");
        }
        return g.node(Op.RESHAPE, List.of(x), shape, "", NO_INTS, 0f, 0);
    }

    /** out dim i is x dim perm[i]; perm must be a permutation of 0..rank-1. */
    public static Node permute(Graph g, Node x, int... perm) {
        int rank = x.shape().rank();
        boolean[] seen = new boolean[rank];
        boolean ok = perm.length == rank;
        for (int i = 0; ok && i < rank; i++) {
            ok = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]];
            if (ok) {
                seen[perm[i]] = true;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("permute x=" + x.shape() + ", perm=" + Arrays.toString(perm)
                    + " (expected: a permutation of 0.." + (rank - 1) + ")");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = x.shape().dim(perm[i]);
        }
        return g.node(Op.PERMUTE, List.of(x), Shape.of(dims), "", perm, 0f, 0);
    }

    /** Swaps the last two dimensions (rank >= 2). */
    public static Node transpose(Graph g, Node x) {
        int rank = x.shape().rank();
        if (rank < 2) {
            throw new IllegalArgumentException("transpose x=" + x.shape() + " (expected: rank >= 2)");
        }
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return permute(g, x, perm);
    }

    /** x[..., start : start + length, ...] along {@code dim}. */
    public static Node slice(Graph g, Node x, int dim, int start, int length) {
        checkDim(x, dim, "slice");
        int size = x.shape().dim(dim);
        if (start < 0 || length < 1 || (long) start + length > size) {
            throw new IllegalArgumentException("slice x=" + x.shape() + ", dim=" + dim + ", start=" + start
                    + ", length=" + length + " (expected: 0 <= start, 1 <= length, start + length <= " + size + ")");
        }
        int[] dims = x.shape().dims();
        dims[dim] = length;
        return g.node(Op.SLICE, List.of(x), Shape.of(dims), "", new int[] {dim, start}, 0f, 0);
    }

    /** The inputs joined along {@code dim}; every other dimension must agree. */
    public static Node concat(Graph g, int dim, List<Node> xs) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("concat of no inputs (expected: at least one)");
        }
        Node first = xs.get(0);
        checkDim(first, dim, "concat");
        int[] dims = first.shape().dims();
        int total = 0;
        for (Node x : xs) {
            int[] d = x.shape().dims();
            boolean ok = d.length == dims.length;
            for (int i = 0; ok && i < d.length; i++) {
                ok = i == dim || d[i] == dims[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("concat shape mismatch along dim " + dim + ": a=" + first.shape()
                        + ", b=" + x.shape() + " (expected: equal except dim " + dim + ")");
            }
            total += d[dim];
        }
        dims[dim] = total;
        return g.node(Op.CONCAT, xs, Shape.of(dims), "", new int[] {dim}, 0f, 0);
    }

    /** out[r, ...] = x[r, ...] + p[...] where p's shape equals the trailing dimensions of x's. */
    public static Node addBroadcast(Graph g, Node x, Node p) {
        int xr = x.shape().rank();
        int pr = p.shape().rank();
        boolean ok = pr <= xr;
        for (int i = 0; ok && i < pr; i++) {
            ok = p.shape().dim(pr - 1 - i) == x.shape().dim(xr - 1 - i);
        }
        if (!ok) {
            throw new IllegalArgumentException("addBroadcast shape mismatch: x=" + x.shape() + ", p=" + p.shape()
                    + " (expected: p equal to the trailing dimensions of x)");
        }
        return g.node(Op.ADD_BROADCAST, List.of(x, p), x.shape(), "", NO_INTS, 0f, 0);
    }

    private static void checkDim(Node x, int dim, String what) {
        if (dim < 0 || dim >= x.shape().rank()) {
            throw new IllegalArgumentException(what + " x=" + x.shape() + ", dim=" + dim
                    + " (expected: 0 <= dim < " + x.shape().rank() + ")");
        }
    }

    /** RESHAPE's executor and rule are registered by ConvOps (one op, two builders). */
    static void register() {
        OpRegistry.executor(Op.PERMUTE, SequenceOps::permute);
        OpRegistry.rule(Op.PERMUTE, (g, n, up) -> {
            int[] inverse = new int[n.intAttrCount()];
            for (int i = 0; i < inverse.length; i++) {
                inverse[n.intAttr(i)] = i;
            }
            return new Node[] {permute(g, up, inverse)};
        });
        OpRegistry.executor(Op.SLICE, (n, b) -> copyBlocks(n.input(0).shape(), n.intAttr(0), n.intAttr(1),
                n.shape().dim(n.intAttr(0)), in(b, n, 0), off(b, n, 0), b.data(n), b.offset(n), true));
        OpRegistry.rule(Op.SLICE, (g, n, up) -> new Node[] {g.node(Op.SLICE_BACKWARD, List.of(up), n.input(0).shape(),
                "", new int[] {n.intAttr(0), n.intAttr(1)}, 0f, 0)});
        OpRegistry.executor(Op.SLICE_BACKWARD, (n, b) -> {
            Arrays.fill(b.data(n), b.offset(n), b.offset(n) + n.shape().size(), 0f);
            copyBlocks(n.shape(), n.intAttr(0), n.intAttr(1), n.input(0).shape().dim(n.intAttr(0)), in(b, n, 0),
                    off(b, n, 0), b.data(n), b.offset(n), false);
        });
        OpRegistry.executor(Op.CONCAT, SequenceOps::concat);
        OpRegistry.rule(Op.CONCAT, SequenceOps::concatRule);
        OpRegistry.executor(Op.ADD_BROADCAST, (n, b) -> {
            int cols = n.input(1).shape().size();
            b.kernels().addRowVector(n.shape().size() / cols, cols, in(b, n, 0), off(b, n, 0), in(b, n, 1),
                    off(b, n, 1), b.data(n), b.offset(n));
        });
        OpRegistry.rule(Op.ADD_BROADCAST, (g, n, up) -> {
            Shape ps = n.input(1).shape();
            Node rows = reshape(g, up, Shape.of(up.shape().size() / ps.size(), ps.size()));
            return new Node[] {up, reshape(g, g.sumRows(rows), ps)};
        });
    }

    /**
     * Copies between a full tensor (shape {@code full}) and a slice of it along dim at start of the
     * given length; {@code toSlice} selects the direction (full to slice, or slice into full).
     */
    private static void copyBlocks(Shape full, int dim, int start, int length, float[] src, int srcOff,
                                   float[] dst, int dstOff, boolean toSlice) {
        int inner = 1;
        for (int i = dim + 1; i < full.rank(); i++) {
            inner *= full.dim(i);
        }
        int outer = full.size() / (inner * full.dim(dim));
        int fullBlock = full.dim(dim) * inner;
        int sliceBlock = length * inner;
        for (int o = 0; o < outer; o++) {
            int f = o * fullBlock + start * inner;
            int s = o * sliceBlock;
            if (toSlice) {
                System.arraycopy(src, srcOff + f, dst, dstOff + s, sliceBlock);
            } else {
                System.arraycopy(src, srcOff + s, dst, dstOff + f, sliceBlock);
            }
        }
    }

    private static void concat(Node n, Buffers b) {
        int dim = n.intAttr(0);
        int start = 0;
        for (int i = 0; i < n.inputs().size(); i++) {
            int len = n.input(i).shape().dim(dim);
            copyBlocks(n.shape(), dim, start, len, in(b, n, i), off(b, n, i), b.data(n), b.offset(n), false);
            start += len;
        }
    }

    private static Node[] concatRule(Graph g, Node n, Node up) {
        int dim = n.intAttr(0);
        Node[] grads = new Node[n.inputs().size()];
        int start = 0;
        for (int i = 0; i < grads.length; i++) {
            int len = n.input(i).shape().dim(dim);
            grads[i] = slice(g, up, dim, start, len);
            start += len;
        }
        return grads;
    }

    private static void permute(Node n, Buffers b) {
        Shape out = n.shape();
        Shape x = n.input(0).shape();
        int rank = out.rank();
        float[] src = in(b, n, 0);
        int so = off(b, n, 0);
        float[] dst = b.data(n);
        int dOff = b.offset(n);
        int size = out.size();
        for (int i = 0; i < size; i++) {
            int rem = i;
            int from = 0;
            for (int k = rank - 1; k >= 0; k--) {
                int c = rem % out.dim(k);
                rem /= out.dim(k);
                from += c * stride(x, n.intAttr(k));
            }
            dst[dOff + i] = src[so + from];
        }
    }

    private static int stride(Shape s, int dim) {
        int st = 1;
        for (int i = dim + 1; i < s.rank(); i++) {
            st *= s.dim(i);
        }
        return st;
    }
}
