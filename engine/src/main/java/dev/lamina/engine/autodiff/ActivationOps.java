package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import java.util.List;

/**
 * Elementwise activations on any rank (tanh, sigmoid, GELU, SiLU, LeakyReLU) and softmax over the
 * last dimension. GELU is the exact form x * Phi(x) with Phi the normal CDF through erf (to 1.5e-7), which is
 * PyTorch's default ({@code approximate='none'}).
 */
public final class ActivationOps {
    private static final int[] NO_INTS = new int[0];
    private static final Op[] OPS = Op.values();
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private ActivationOps() {
    }

    public static Node tanh(Graph g, Node x) {
        return g.node(Op.TANH, List.of(x), x.shape(), "", NO_INTS, 0f, 0);
    }

    public static Node sigmoid(Graph g, Node x) {
        return g.node(Op.SIGMOID, List.of(x), x.shape(), "", NO_INTS, 0f, 0);
    }

    public static Node gelu(Graph g, Node x) {
        return g.node(Op.GELU, List.of(x), x.shape(), "", NO_INTS, 0f, 0);
    }

    public static Node silu(Graph g, Node x) {
        return g.node(Op.SILU, List.of(x), x.shape(), "", NO_INTS, 0f, 0);
    }

    public static Node leakyRelu(Graph g, Node x, float slope) {
        if (!Float.isFinite(slope)) {
            throw new IllegalArgumentException("leakyRelu slope : " + slope + " (expected: finite)");
        }
        return g.node(Op.LEAKY_RELU, List.of(x), x.shape(), "", NO_INTS, slope, 0);
    }

    /** Softmax over the last dimension of x (any rank >= 1). */
    public static Node softmax(Graph g, Node x) {
        return g.node(Op.SOFTMAX, List.of(x), x.shape(), "", NO_INTS, 0f, 0);
    }

    static Node activationBackward(Graph g, Node forward, Node up) {
        Graph.requireSame(forward.input(0), up, "activationBackward");
        return g.node(Op.ACTIVATION_BACKWARD, List.of(forward.input(0), up), up.shape(), "",
                new int[] {forward.op().ordinal()}, forward.value(), 0);
    }

    static Node softmaxBackward(Graph g, Node y, Node up) {
        Graph.requireSame(y, up, "softmaxBackward");
        return g.node(Op.SOFTMAX_BACKWARD, List.of(y, up), y.shape(), "", NO_INTS, 0f, 0);
    }

    static void register() {
        for (Op op : List.of(Op.TANH, Op.SIGMOID, Op.GELU, Op.SILU, Op.LEAKY_RELU)) {
            OpRegistry.executor(op, ActivationOps::forward);
            OpRegistry.rule(op, (g, n, up) -> new Node[] {activationBackward(g, n, up)});
        }
        OpRegistry.executor(Op.ACTIVATION_BACKWARD, ActivationOps::backward);
        OpRegistry.executor(Op.SOFTMAX, (n, b) -> {
            int cols = lastDim(n);
            b.kernels().softmax(n.shape().size() / cols, cols, in(b, n, 0), off(b, n, 0), b.data(n), b.offset(n));
        });
        OpRegistry.rule(Op.SOFTMAX, (g, n, up) -> new Node[] {softmaxBackward(g, n, up)});
        OpRegistry.executor(Op.SOFTMAX_BACKWARD, ActivationOps::softmaxBackward);
    }

    private static int lastDim(Node n) {
        return n.shape().dim(n.shape().rank() - 1);
    }

    private static void forward(Node n, Buffers b) {
        float[] x = in(b, n, 0);
        int xo = off(b, n, 0);
        float[] out = b.data(n);
        int oo = b.offset(n);
        int size = n.shape().size();
        Op op = n.op();
        float slope = n.value();
        for (int i = 0; i < size; i++) {
            out[oo + i] = apply(op, x[xo + i], slope);
        }
    }

    private static float apply(Op op, float x, float slope) {
        return switch (op) {
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) sigmoid(x);
            case GELU -> (float) (x * cdf(x, Math.exp(-0.5 * x * x)));
            case SILU -> (float) (x * sigmoid(x));
            case LEAKY_RELU -> x > 0 ? x : slope * x;
            default -> throw new IllegalStateException("not an activation: " + op);
        };
    }

    private static float derivative(Op op, float x, float slope) {
        switch (op) {
            case TANH: {
                double t = Math.tanh(x);
                return (float) (1 - t * t);
            }
            case SIGMOID: {
                double s = sigmoid(x);
                return (float) (s * (1 - s));
            }
            case GELU: {
                double e = Math.exp(-0.5 * x * x);
                return (float) (cdf(x, e) + x * INV_SQRT_2PI * e);
            }
            case SILU: {
                double s = sigmoid(x);
                return (float) (s * (1 + x * (1 - s)));
            }
            case LEAKY_RELU:
                return x > 0 ? 1f : slope;
            default:
                throw new IllegalStateException("not an activation: " + op);
        }
    }

    private static void backward(Node n, Buffers b) {
        Op op = OPS[n.intAttr(0)];
        float[] x = in(b, n, 0);
        int xo = off(b, n, 0);
        float[] g = in(b, n, 1);
        int go = off(b, n, 1);
        float[] out = b.data(n);
        int oo = b.offset(n);
        float slope = n.value();
        int size = n.shape().size();
        for (int i = 0; i < size; i++) {
            out[oo + i] = derivative(op, x[xo + i], slope) * g[go + i];
        }
    }

    private static void softmaxBackward(Node n, Buffers b) {
        int cols = lastDim(n);
        int rows = n.shape().size() / cols;
        float[] y = in(b, n, 0);
        int yo = off(b, n, 0);
        float[] g = in(b, n, 1);
        int go = off(b, n, 1);
        float[] out = b.data(n);
        int oo = b.offset(n);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float dot = b.kernels().dot(cols, y, yo + base, g, go + base);
            for (int c = 0; c < cols; c++) {
                out[oo + base + c] = y[yo + base + c] * (g[go + base + c] - dot);
            }
        }
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
    }

    /**
     * The standard normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 given e = exp(-x^2 / 2), with erf
     * from Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), which needs only that one
     * exponential, shared with GELU's derivative.
     */
    static double cdf(double x, double e) {
        double t = 1.0 / (1.0 + 0.3275911 * Math.abs(x) * INV_SQRT2);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                + t * 1.061405429))));
        double erf = 1.0 - poly * e;
        return 0.5 * (1.0 + (x >= 0 ? erf : -erf));
    }
}
