package dev.lamina.engine.autodiff;

import java.util.Arrays;

/** Executors and gradient rules of the core ops: matrix products, elementwise ops, ReLU, losses. */
final class CoreOps {

    private CoreOps() {
    }

    static void register() {
        OpRegistry.executor(Op.MATMUL, CoreOps::matmul);
        OpRegistry.executor(Op.ADD_BIAS, (n, b) -> {
            Node x = n.input(0);
            b.kernels().addRowVector(x.shape().dim(0), x.shape().dim(1), in(b, n, 0), off(b, n, 0), in(b, n, 1),
                    off(b, n, 1), b.data(n), b.offset(n));
        });
        OpRegistry.executor(Op.ADD, (n, b) -> b.kernels().add(n.shape().size(), in(b, n, 0), off(b, n, 0),
                in(b, n, 1), off(b, n, 1), b.data(n), b.offset(n)));
        OpRegistry.executor(Op.MUL, (n, b) -> b.kernels().mul(n.shape().size(), in(b, n, 0), off(b, n, 0),
                in(b, n, 1), off(b, n, 1), b.data(n), b.offset(n)));
        OpRegistry.executor(Op.RELU, (n, b) -> b.kernels().relu(n.shape().size(), in(b, n, 0), off(b, n, 0),
                b.data(n), b.offset(n)));
        OpRegistry.executor(Op.RELU_BACKWARD, (n, b) -> b.kernels().reluBackward(n.shape().size(), in(b, n, 0),
                off(b, n, 0), in(b, n, 1), off(b, n, 1), b.data(n), b.offset(n)));
        OpRegistry.executor(Op.SUM_ROWS, (n, b) -> {
            Node x = n.input(0);
            b.kernels().sumRows(x.shape().dim(0), x.shape().dim(1), in(b, n, 0), off(b, n, 0), b.data(n), b.offset(n));
        });
        OpRegistry.executor(Op.SUM, (n, b) -> b.data(n)[b.offset(n)] = sum(n.input(0).shape().size(), in(b, n, 0), off(b, n, 0)));
        OpRegistry.executor(Op.EXPAND, (n, b) -> Arrays.fill(b.data(n), b.offset(n), b.offset(n) + n.shape().size(),
                in(b, n, 0)[off(b, n, 0)]));
        OpRegistry.executor(Op.COPY, (n, b) -> System.arraycopy(in(b, n, 0), off(b, n, 0), b.data(n), b.offset(n),
                n.shape().size()));
        OpRegistry.executor(Op.LOG_SOFTMAX, (n, b) -> b.kernels().logSoftmax(n.shape().dim(0), n.shape().dim(1),
                in(b, n, 0), off(b, n, 0), b.data(n), b.offset(n)));
        OpRegistry.executor(Op.LOG_SOFTMAX_BACKWARD, (n, b) -> b.kernels().logSoftmaxBackward(n.shape().dim(0),
                n.shape().dim(1), in(b, n, 0), off(b, n, 0), in(b, n, 1), off(b, n, 1), b.data(n), b.offset(n)));
        OpRegistry.executor(Op.NLL, (n, b) -> {
            Node logp = n.input(0);
            b.data(n)[b.offset(n)] = LossOps.nll(logp.shape().dim(0), logp.shape().dim(1), in(b, n, 0), off(b, n, 0),
                    in(b, n, 1), off(b, n, 1));
        });
        OpRegistry.executor(Op.NLL_BACKWARD, (n, b) -> LossOps.nllBackward(n.shape().dim(0), n.shape().dim(1),
                in(b, n, 0), off(b, n, 0), in(b, n, 1)[off(b, n, 1)], b.data(n), b.offset(n)));

        OpRegistry.rule(Op.MATMUL, CoreOps::matmulRule);
        OpRegistry.rule(Op.ADD_BIAS, (g, n, up) -> new Node[] {up, g.sumRows(up)});
        OpRegistry.rule(Op.ADD, (g, n, up) -> new Node[] {up, up});
        OpRegistry.rule(Op.MUL, (g, n, up) -> new Node[] {g.mul(up, n.input(1)), g.mul(up, n.input(0))});
        OpRegistry.rule(Op.RELU, (g, n, up) -> new Node[] {g.reluBackward(n.input(0), up)});
        OpRegistry.rule(Op.SUM, (g, n, up) -> new Node[] {g.expand(up, n.input(0).shape())});
        OpRegistry.rule(Op.EXPAND, (g, n, up) -> new Node[] {g.sum(up)});
        OpRegistry.rule(Op.COPY, (g, n, up) -> new Node[] {up});
        OpRegistry.rule(Op.LOG_SOFTMAX, (g, n, up) -> new Node[] {g.logSoftmaxBackward(n, up)});
        OpRegistry.rule(Op.NLL, (g, n, up) -> new Node[] {
            g.nllBackward(n.input(1), up, n.input(0).shape().dim(1)), null});
    }

    private static void matmul(Node n, Buffers b) {
        Node a = n.input(0);
        Node bb = n.input(1);
        int m = n.shape().dim(0);
        int cols = n.shape().dim(1);
        int k = n.transA() ? a.shape().dim(0) : a.shape().dim(1);
        if (n.inputs().size() == 3) {
            b.kernels().gemmBias(n.transA(), n.transB(), m, cols, k, in(b, n, 0), off(b, n, 0), a.shape().dim(1),
                    in(b, n, 1), off(b, n, 1), bb.shape().dim(1), in(b, n, 2), off(b, n, 2), b.data(n), b.offset(n), cols);
            return;
        }
        b.kernels().gemm(n.transA(), n.transB(), m, cols, k, 1f, in(b, n, 0), off(b, n, 0), a.shape().dim(1),
                in(b, n, 1), off(b, n, 1), bb.shape().dim(1), 0f, b.data(n), b.offset(n), cols);
    }

    /**
     * C = op(A) op(B) (+ bias). d op(A) = G op(B)^T and d op(B) = op(A)^T G; transposed operands take
     * the transpose of those; d bias = the column sums of G.
     */
    private static Node[] matmulRule(Graph g, Node n, Node up) {
        Node a = n.input(0);
        Node b = n.input(1);
        boolean ta = n.transA();
        boolean tb = n.transB();
        Node da = ta ? g.matmul(b, up, tb, true) : g.matmul(up, b, false, !tb);
        Node db = tb ? g.matmul(up, a, true, ta) : g.matmul(a, up, !ta, false);
        return n.inputs().size() == 3 ? new Node[] {da, db, g.sumRows(up)} : new Node[] {da, db};
    }

    private static float sum(int n, float[] x, int off) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += x[off + i];
        }
        return (float) acc;
    }

    /** Input i's array. */
    static float[] in(Buffers b, Node n, int i) {
        return b.data(n.input(i));
    }

    /** Input i's offset. */
    static int off(Buffers b, Node n, int i) {
        return b.offset(n.input(i));
    }
}
