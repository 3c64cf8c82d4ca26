package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import dev.lamina.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Fused softmax cross-entropy of logits [..., V] against integer targets [...] (floats), as
 * PyTorch's {@code F.cross_entropy(ignore_index=, label_smoothing=)} with mean reduction: targets
 * equal to the ignore index count neither in the sum nor in the mean; with smoothing e the target
 * distribution is (1 - e) one-hot + e / V. When every target is ignored the loss is 0 (PyTorch gives
 * NaN). The forward node keeps the log-probabilities and the count of counted targets in scratch.
 */
public final class SequenceLossOps {

    private SequenceLossOps() {
    }

    public static Node crossEntropy(Graph g, Node logits, Node targets, int ignoreIndex, float smoothing) {
        int rank = logits.shape().rank();
        boolean ok = rank >= 2 && targets.shape().rank() == rank - 1;
        for (int i = 0; ok && i < rank - 1; i++) {
            ok = logits.shape().dim(i) == targets.shape().dim(i);
        }
        if (!ok) {
            throw new IllegalArgumentException("crossEntropy shape mismatch: logits=" + logits.shape() + ", targets="
                    + targets.shape() + " (expected: targets = logits without the last dimension)");
        }
        if (!(smoothing >= 0f && smoothing < 1f)) {
            throw new IllegalArgumentException("labelSmoothing : " + smoothing + " (expected: in [0, 1))");
        }
        return g.node(Op.SEQUENCE_CROSS_ENTROPY, List.of(logits, targets), Shape.of(1), "", new int[] {ignoreIndex},
                smoothing, logits.shape().size() + 1);
    }

    static void register() {
        OpRegistry.executor(Op.SEQUENCE_CROSS_ENTROPY, SequenceLossOps::forward);
        OpRegistry.executor(Op.SEQUENCE_CROSS_ENTROPY_BACKWARD, SequenceLossOps::backward);
        OpRegistry.rule(Op.SEQUENCE_CROSS_ENTROPY, (g, n, up) -> new Node[] {
            g.node(Op.SEQUENCE_CROSS_ENTROPY_BACKWARD, List.of(n, n.input(1), up), n.input(0).shape(), "",
                    new int[] {n.intAttr(0)}, n.value(), 0),
            null});
    }

    /** The target class of row r, or -1 for an ignored row; throws naming the row for anything else. */
    private static int target(float[] y, int yo, int r, int classes, int ignore) {
        float v = y[yo + r];
        int k = (int) v;
        if (k == v && k == ignore) {
            return -1;
        }
        if (k != v || k < 0 || k >= classes) {
            throw new IllegalArgumentException("target " + v + " at position " + r + " (expected: an integer in [0, "
                    + classes + ") or the ignore index " + ignore + ")");
        }
        return k;
    }

    private static void forward(Node n, Buffers b) {
        Node logits = n.input(0);
        int v = logits.shape().dim(logits.shape().rank() - 1);
        int rows = logits.shape().size() / v;
        float[] logp = b.scratch(n);
        b.kernels().logSoftmax(rows, v, in(b, n, 0), off(b, n, 0), logp, 0);
        float[] y = in(b, n, 1);
        int yo = off(b, n, 1);
        float eps = n.value();
        double total = 0;
        int count = 0;
        for (int r = 0; r < rows; r++) {
            int k = target(y, yo, r, v, n.intAttr(0));
            if (k < 0) {
                continue;
            }
            count++;
            double rowLoss = -(1.0 - eps) * logp[r * v + k];
            if (eps > 0f) {
                double sum = 0;
                for (int c = 0; c < v; c++) {
                    sum += logp[r * v + c];
                }
                rowLoss -= eps * sum / v;
            }
            total += rowLoss;
        }
        logp[rows * v] = count;
        b.data(n)[b.offset(n)] = count == 0 ? 0f : (float) (total / count);
    }

    /** d logits[r, c] = g / count * (softmax[r, c] - q[r, c]) for counted rows, 0 for ignored ones. */
    private static void backward(Node n, Buffers b) {
        Node ce = n.input(0);
        int v = n.shape().dim(n.shape().rank() - 1);
        int rows = n.shape().size() / v;
        float[] logp = b.scratch(ce);
        float[] y = in(b, n, 1);
        int yo = off(b, n, 1);
        float[] out = b.data(n);
        int oo = b.offset(n);
        float count = logp[rows * v];
        float scale = count == 0f ? 0f : in(b, n, 2)[off(b, n, 2)] / count;
        float eps = n.value();
        float uniform = eps / v;
        // softmax of the logits (vectorized) is exp(log softmax): one kernel call for every row
        b.kernels().softmax(rows, v, in(b, ce, 0), off(b, ce, 0), out, oo);
        for (int r = 0; r < rows; r++) {
            int k = target(y, yo, r, v, n.intAttr(0));
            int base = oo + r * v;
            if (k < 0) {
                Arrays.fill(out, base, base + v, 0f);
                continue;
            }
            b.kernels().scal(v, scale, out, base);
            if (uniform != 0f) {
                for (int c = 0; c < v; c++) {
                    out[base + c] -= scale * uniform;
                }
            }
            out[base + k] -= scale * (1f - eps);
        }
    }
}
