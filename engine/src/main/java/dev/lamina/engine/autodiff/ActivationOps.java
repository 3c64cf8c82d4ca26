package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import java.util.List;

/**
 * Elementwise activations on any rank (tanh, sigmoid, GELU, SiLU, LeakyReLU) and softmax over the
 * last dimension. GELU is the exact form x * Phi(x) with Phi the normal CDF through erf (to 1.5e-7), which is
 * PyTorch's default ({@code approximate='none'}). GELU, SiLU, sigmoid and tanh run as kernels (vectorized);
 * LeakyReLU and the derivatives of tanh and sigmoid are elementwise loops here.
 */
public final class ActivationOps {
    private static final int[] NO_INTS = new int[0];
    private static final Op[] OPS = Op.values();

    private ActivationOps() {
    }

    public static Node tanh(Graph g, Node x) {
        return g.node(Op.TANH, List.of(x), x.shape(), "", NO_INTS, 0f, 0);
    }

    public static Node sigmoid(Graph g, Node x) {
        return g.node(Op.SIGMOID, List.of(x), x.shape(), "", NO_INTS, 0f, 0);
    }

    public static Node gelu(Graph g, Node x) {
        return gelu(g, x, false);
    }

    /**
     * GELU; with {@code saveDerivative} (training graphs) the forward also writes GELU'(x) into the node's
     * scratch, in the same pass, and the backward is that times the upstream gradient, instead of
     * evaluating the erf and the exp again: bit for bit the same gradient, one more float per element
     * held from the forward to the backward.
     */
    public static Node gelu(Graph g, Node x, boolean saveDerivative) {
        int size = x.shape().size();
        return g.node(Op.GELU, List.of(x), x.shape(), "", NO_INTS, 0f, saveDerivative ? size : 0);
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

    /** The input gradient; a third input (the forward node) when the forward saved the derivative. */
    static Node activationBackward(Graph g, Node forward, Node up) {
        Graph.requireSame(forward.input(0), up, "activationBackward");
        List<Node> inputs = forward.scratchSize() > 0 ? List.of(forward.input(0), up, forward)
                : List.of(forward.input(0), up);
        return g.node(Op.ACTIVATION_BACKWARD, inputs, up.shape(), "", new int[] {forward.op().ordinal()},
                forward.value(), 0);
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
        switch (op) {
            case GELU -> {
                if (n.scratchSize() > 0) {
                    b.kernels().geluWithDerivative(size, x, xo, out, oo, b.scratch(n), 0);
                } else {
                    b.kernels().gelu(size, x, xo, out, oo);
                }
            }
            case SILU -> b.kernels().silu(size, x, xo, out, oo);
            case SIGMOID -> b.kernels().sigmoid(size, x, xo, out, oo);
            case TANH -> b.kernels().tanh(size, x, xo, out, oo);
            default -> forwardScalar(op, n.value(), size, x, xo, out, oo);
        }
    }

    private static void forwardScalar(Op op, float slope, int size, float[] x, int xo, float[] out, int oo) {
        for (int i = 0; i < size; i++) {
            out[oo + i] = apply(op, x[xo + i], slope);
        }
    }

    private static float apply(Op op, float x, float slope) {
        return switch (op) {
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) sigmoid(x);
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
        if (n.inputs().size() == 3) {
            // the derivative the forward saved, times g
            b.kernels().mul(size, b.scratch(n.input(2)), 0, g, go, out, oo);
            return;
        }
        if (op == Op.GELU) {
            b.kernels().geluBackward(size, x, xo, g, go, out, oo);
            return;
        }
        if (op == Op.SILU) {
            b.kernels().siluBackward(size, x, xo, g, go, out, oo);
            return;
        }
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

}
