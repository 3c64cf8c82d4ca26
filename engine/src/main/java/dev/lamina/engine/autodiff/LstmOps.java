package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * One fused LSTM layer, batch-first, in PyTorch's layout: gates = x W_ih^T + b_ih + h W_hh^T + b_hh
 * split as (i, f, g, o); c' = f c + i g; h' = o tanh(c'); zero initial state. The forward node keeps
 * the activated gates [B, T, 4H] and cells [B, T, H] in scratch. Its backward node runs
 * backpropagation through time once, producing the pre-activation gate gradients [B * T, 4H]; the
 * weight, bias and input gradients are matrix products of those (written in forward ops).
 */
public final class LstmOps {

    private LstmOps() {
    }

    /** x [B, T, I], w_ih [4H, I], w_hh [4H, H], b_ih [4H], b_hh [4H] to h [B, T, H]. */
    public static Node lstm(Graph g, Node x, Node wih, Node whh, Node bih, Node bhh) {
        int h = checkRecurrent("lstm", 4, x, wih, whh, bih, bhh);
        int bsz = x.shape().dim(0);
        int t = x.shape().dim(1);
        return g.node(Op.LSTM, List.of(x, wih, whh, bih, bhh), Shape.of(bsz, t, h), "", new int[0], 0f,
                bsz * t * 5 * h);
    }

    /** Checks recurrent operand shapes for {@code gates} gates and returns the hidden size. */
    static int checkRecurrent(String what, int gates, Node x, Node wih, Node whh, Node bih, Node bhh) {
        Graph.requireRank(x, 3, what + " x");
        Graph.requireRank(wih, 2, what + " w_ih");
        int gh = wih.shape().dim(0);
        int h = gh / gates;
        if (gh % gates != 0 || wih.shape().dim(1) != x.shape().dim(2) || !whh.shape().equals(Shape.of(gh, h))
                || !bih.shape().equals(Shape.of(gh)) || !bhh.shape().equals(Shape.of(gh))) {
            throw new IllegalArgumentException(what + " shape mismatch: x=" + x.shape() + ", w_ih=" + wih.shape()
                    + ", w_hh=" + whh.shape() + ", b_ih=" + bih.shape() + ", b_hh=" + bhh.shape() + " (expected: w_ih ["
                    + gates + "H, " + x.shape().dim(2) + "], w_hh [" + gates + "H, H], biases [" + gates + "H])");
        }
        return h;
    }

    static void register() {
        OpRegistry.executor(Op.LSTM, LstmOps::forward);
        OpRegistry.executor(Op.LSTM_BACKWARD, LstmOps::backward);
        OpRegistry.rule(Op.LSTM, (g, n, up) -> {
            Node x = n.input(0);
            int bt = x.shape().dim(0) * x.shape().dim(1);
            Node d = g.node(Op.LSTM_BACKWARD, List.of(n, n.input(2), up), Shape.of(bt, n.input(1).shape().dim(0)), "",
                    new int[0], 0f, 2 * x.shape().dim(0) * n.shape().dim(2));
            return weightGradients(g, n, d, d);
        });
    }

    /**
     * Gradients of (x, w_ih, w_hh, b_ih, b_hh) from the input-side and hidden-side pre-activation
     * gradients [B * T, G]: dx = di W_ih, dW_ih = di^T x, dW_hh = dh^T h_prev, db_ih = sum di, db_hh = sum dh.
     */
    static Node[] weightGradients(Graph g, Node n, Node di, Node dh) {
        Node x = n.input(0);
        int bsz = x.shape().dim(0);
        int t = x.shape().dim(1);
        int in = x.shape().dim(2);
        int h = n.shape().dim(2);
        Node xRows = SequenceOps.reshape(g, x, Shape.of(bsz * t, in));
        Node dx = SequenceOps.reshape(g, g.matmul(di, n.input(1), false, false), x.shape());
        Node dwhh;
        if (t == 1) {
            dwhh = g.fill(n.input(2).shape(), 0f);
        } else {
            Node prev = SequenceOps.concat(g, 1, List.of(g.fill(Shape.of(bsz, 1, h), 0f),
                    SequenceOps.slice(g, n, 1, 0, t - 1)));
            dwhh = g.matmul(dh, SequenceOps.reshape(g, prev, Shape.of(bsz * t, h)), true, false);
        }
        return new Node[] {dx, g.matmul(di, xRows, true, false), dwhh, g.sumRows(di), g.sumRows(dh)};
    }

    /** Input projections of every step at once: pre[b, t, :] = x[b, t, :] W_ih^T + b_ih + b_hh. */
    static void inputProjection(Node n, Buffers b, float[] pre, boolean withHiddenBias) {
        Node x = n.input(0);
        int rows = x.shape().dim(0) * x.shape().dim(1);
        int in = x.shape().dim(2);
        int gh = n.input(1).shape().dim(0);
        b.kernels().gemm(false, true, rows, gh, in, 1f, in(b, n, 0), off(b, n, 0), in, in(b, n, 1), off(b, n, 1), in,
                0f, pre, 0, gh);
        float[] bih = in(b, n, 3);
        int bio = off(b, n, 3);
        float[] bhh = in(b, n, 4);
        int bho = off(b, n, 4);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < gh; j++) {
                pre[r * gh + j] += bih[bio + j] + (withHiddenBias ? bhh[bho + j] : 0f);
            }
        }
    }

    private static void forward(Node n, Buffers b) {
        int bsz = n.shape().dim(0);
        int t = n.shape().dim(1);
        int h = n.shape().dim(2);
        float[] s = b.scratch(n);
        int cells = bsz * t * 4 * h;
        inputProjection(n, b, s, true);
        float[] out = b.data(n);
        int oo = b.offset(n);
        Kernels k = b.kernels();
        for (int step = 0; step < t; step++) {
            if (step > 0) {
                k.gemm(false, true, bsz, 4 * h, h, 1f, out, oo + (step - 1) * h, t * h, in(b, n, 2), off(b, n, 2), h,
                        1f, s, step * 4 * h, t * 4 * h);
            }
            for (int bi = 0; bi < bsz; bi++) {
                int gate = (bi * t + step) * 4 * h;
                int cell = (bi * t + step) * h;
                // gates in place, vectorized: i and f (side by side), g, o
                k.sigmoid(2 * h, s, gate, s, gate);
                k.tanh(h, s, gate + 2 * h, s, gate + 2 * h);
                k.sigmoid(h, s, gate + 3 * h, s, gate + 3 * h);
                for (int j = 0; j < h; j++) {
                    float prev = step > 0 ? s[cells + cell - h + j] : 0f;
                    s[cells + cell + j] = s[gate + h + j] * prev + s[gate + j] * s[gate + 2 * h + j];
                }
                k.tanh(h, s, cells + cell, out, oo + cell);
                k.mul(h, out, oo + cell, s, gate + 3 * h, out, oo + cell);
            }
        }
    }

    private static void backward(Node n, Buffers b) {
        Node lstm = n.input(0);
        int bsz = lstm.shape().dim(0);
        int t = lstm.shape().dim(1);
        int h = lstm.shape().dim(2);
        float[] s = b.scratch(lstm);
        int cells = bsz * t * 4 * h;
        float[] g = in(b, n, 2);
        int go = off(b, n, 2);
        float[] work = b.scratch(n);
        int dcOff = bsz * h;
        Arrays.fill(work, 0f);
        float[] d = b.data(n);
        int dOff = b.offset(n);
        for (int step = t - 1; step >= 0; step--) {
            for (int bi = 0; bi < bsz; bi++) {
                int gate = (bi * t + step) * 4 * h;
                int cell = (bi * t + step) * h;
                // tanh(c) into the o-gate slot of the output, read at j before j is written there
                b.kernels().tanh(h, s, cells + cell, d, dOff + gate + 3 * h);
                for (int j = 0; j < h; j++) {
                    float i = s[gate + j];
                    float f = s[gate + h + j];
                    float gg = s[gate + 2 * h + j];
                    float o = s[gate + 3 * h + j];
                    float tc = d[dOff + gate + 3 * h + j];
                    float prev = step > 0 ? s[cells + cell - h + j] : 0f;
                    float dh = g[go + cell + j] + work[bi * h + j];
                    float dc = work[dcOff + bi * h + j] + dh * o * (1 - tc * tc);
                    d[dOff + gate + j] = dc * gg * i * (1 - i);
                    d[dOff + gate + h + j] = dc * prev * f * (1 - f);
                    d[dOff + gate + 2 * h + j] = dc * i * (1 - gg * gg);
                    d[dOff + gate + 3 * h + j] = dh * tc * o * (1 - o);
                    work[dcOff + bi * h + j] = dc * f;
                }
            }
            b.kernels().gemm(false, false, bsz, h, 4 * h, 1f, d, dOff + step * 4 * h, t * 4 * h, in(b, n, 1), off(b, n, 1),
                    h, 0f, work, 0, h);
        }
    }
}
