package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * One fused GRU layer, batch-first, in PyTorch's layout and reset-gate placement: with gi = x W_ih^T
 * + b_ih and gh = h W_hh^T + b_hh split as (r, z, n): r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z +
 * gh_z), n = tanh(gi_n + r * gh_n), h' = (1 - z) n + z h. The forward node keeps gi [B, T, 3H] and
 * (r, z, n, gh_n) [B, T, 4H] in scratch, plus a [B, 3H] workspace. The backward node produces the
 * input-side and hidden-side pre-activation gradients stacked as [2 * B * T, 3H].
 */
public final class GruOps {

    private GruOps() {
    }

    /** x [B, T, I], w_ih [3H, I], w_hh [3H, H], b_ih [3H], b_hh [3H] to h [B, T, H]. */
    public static Node gru(Graph g, Node x, Node wih, Node whh, Node bih, Node bhh) {
        int h = LstmOps.checkRecurrent("gru", 3, x, wih, whh, bih, bhh);
        int bsz = x.shape().dim(0);
        int t = x.shape().dim(1);
        return g.node(Op.GRU, List.of(x, wih, whh, bih, bhh), Shape.of(bsz, t, h), "", new int[0], 0f,
                bsz * t * 7 * h + bsz * 3 * h);
    }

    static void register() {
        OpRegistry.executor(Op.GRU, GruOps::forward);
        OpRegistry.executor(Op.GRU_BACKWARD, GruOps::backward);
        OpRegistry.rule(Op.GRU, (g, n, up) -> {
            Node x = n.input(0);
            int bt = x.shape().dim(0) * x.shape().dim(1);
            Node d = g.node(Op.GRU_BACKWARD, List.of(n, n.input(2), up), Shape.of(2 * bt, n.input(1).shape().dim(0)),
                    "", new int[0], 0f, x.shape().dim(0) * n.shape().dim(2));
            return LstmOps.weightGradients(g, n, SequenceOps.slice(g, d, 0, 0, bt), SequenceOps.slice(g, d, 0, bt, bt));
        });
    }

    private static void forward(Node n, Buffers b) {
        int bsz = n.shape().dim(0);
        int t = n.shape().dim(1);
        int h = n.shape().dim(2);
        float[] s = b.scratch(n);
        int saved = bsz * t * 3 * h;
        int work = saved + bsz * t * 4 * h;
        LstmOps.inputProjection(n, b, s, false);
        float[] out = b.data(n);
        int oo = b.offset(n);
        float[] bhh = in(b, n, 4);
        int bho = off(b, n, 4);
        Kernels k = b.kernels();
        for (int step = 0; step < t; step++) {
            for (int bi = 0; bi < bsz; bi++) {
                System.arraycopy(bhh, bho, s, work + bi * 3 * h, 3 * h);
            }
            if (step > 0) {
                k.gemm(false, true, bsz, 3 * h, h, 1f, out, oo + (step - 1) * h, t * h, in(b, n, 2), off(b, n, 2), h,
                        1f, s, work, 3 * h);
            }
            for (int bi = 0; bi < bsz; bi++) {
                int row = bi * t + step;
                int gi = row * 3 * h;
                int gh = work + bi * 3 * h;
                int sv = saved + row * 4 * h;
                for (int j = 0; j < h; j++) {
                    float r = (float) ActivationOps.sigmoid(s[gi + j] + s[gh + j]);
                    float z = (float) ActivationOps.sigmoid(s[gi + h + j] + s[gh + h + j]);
                    float hn = s[gh + 2 * h + j];
                    float nn = (float) Math.tanh(s[gi + 2 * h + j] + r * hn);
                    float prev = step > 0 ? out[oo + (row - 1) * h + j] : 0f;
                    s[sv + j] = r;
                    s[sv + h + j] = z;
                    s[sv + 2 * h + j] = nn;
                    s[sv + 3 * h + j] = hn;
                    out[oo + row * h + j] = (1 - z) * nn + z * prev;
                }
            }
        }
    }

    private static void backward(Node n, Buffers b) {
        Node gru = n.input(0);
        int bsz = gru.shape().dim(0);
        int t = gru.shape().dim(1);
        int h = gru.shape().dim(2);
        float[] s = b.scratch(gru);
        int saved = bsz * t * 3 * h;
        float[] out = b.data(gru);
        int oo = b.offset(gru);
        float[] g = in(b, n, 2);
        int go = off(b, n, 2);
        float[] dhNext = b.scratch(n);
        Arrays.fill(dhNext, 0f);
        float[] d = b.data(n);
        int di = b.offset(n);
        int dh = di + bsz * t * 3 * h;
        for (int step = t - 1; step >= 0; step--) {
            for (int bi = 0; bi < bsz; bi++) {
                int row = bi * t + step;
                int sv = saved + row * 4 * h;
                int gate = row * 3 * h;
                for (int j = 0; j < h; j++) {
                    float r = s[sv + j];
                    float z = s[sv + h + j];
                    float nn = s[sv + 2 * h + j];
                    float hn = s[sv + 3 * h + j];
                    float prev = step > 0 ? out[oo + (row - 1) * h + j] : 0f;
                    float dOut = g[go + row * h + j] + dhNext[bi * h + j];
                    float dn = dOut * (1 - z) * (1 - nn * nn);
                    float dz = dOut * (prev - nn) * z * (1 - z);
                    float dr = dn * hn * r * (1 - r);
                    d[di + gate + j] = dr;
                    d[di + gate + h + j] = dz;
                    d[di + gate + 2 * h + j] = dn;
                    d[dh + gate + j] = dr;
                    d[dh + gate + h + j] = dz;
                    d[dh + gate + 2 * h + j] = dn * r;
                    dhNext[bi * h + j] = dOut * z;
                }
            }
            b.kernels().gemm(false, false, bsz, h, 3 * h, 1f, d, dh + step * 3 * h, t * 3 * h, in(b, n, 1), off(b, n, 1),
                    h, 1f, dhNext, 0, h);
        }
    }
}
