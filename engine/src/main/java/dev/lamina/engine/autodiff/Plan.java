package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A compiled evaluation of part of a {@link Graph}: the nodes needed for some outputs, in order, each
 * with its buffer allocated once here. {@link #run()} allocates nothing, so a training step in the
 * steady state creates no garbage. Parameters and their gradients are bound to views of the model's
 * flat buffers; inputs are written through {@link #tensor(Node)} before each run.
 */
public final class Plan {
    private final Kernels kernels;
    private final Node[] steps;
    private final float[][] data;
    private final int[] offset;

    private Plan(Kernels kernels, Node[] steps, float[][] data, int[] offset) {
        this.kernels = kernels;
        this.steps = steps;
        this.data = data;
        this.offset = offset;
    }

    /**
     * Compiles the evaluation of {@code outputs}. Nodes in {@code bindings} use the given storage
     * (which must match their shape size); every other needed node gets a buffer of its own.
     */
    public static Plan compile(Kernels kernels, Graph graph, List<Node> outputs, Map<Node, Tensor> bindings) {
        int count = graph.nodes().size();
        boolean[] needed = new boolean[count];
        for (Node out : outputs) {
            needed[out.id()] = true;
        }
        for (int id = count - 1; id >= 0; id--) {
            if (needed[id]) {
                for (Node in : graph.nodes().get(id).inputs()) {
                    needed[in.id()] = true;
                }
            }
        }
        float[][] data = new float[count][];
        int[] offset = new int[count];
        List<Node> steps = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (!needed[node.id()]) {
                continue;
            }
            Tensor bound = bindings.get(node);
            if (bound != null) {
                if (bound.size() != node.shape().size()) {
                    throw new IllegalArgumentException("binding for " + node + " has shape " + bound.shape()
                            + " (expected: " + node.shape().size() + " elements)");
                }
                data[node.id()] = bound.data();
                offset[node.id()] = bound.offset();
            } else if (node.op() == Op.PARAM) {
                throw new IllegalArgumentException("parameter " + node + " has no binding");
            } else {
                data[node.id()] = new float[node.shape().size()];
            }
            if (node.op() == Op.FILL) {
                Arrays.fill(data[node.id()], offset[node.id()], offset[node.id()] + node.shape().size(), node.value());
            } else if (node.op() != Op.INPUT && node.op() != Op.PARAM) {
                steps.add(node);
            }
        }
        return new Plan(kernels, steps.toArray(new Node[0]), data, offset);
    }

    /** The storage of a node of this plan (write inputs here; read outputs here after {@link #run()}). */
    public Tensor tensor(Node node) {
        float[] d = data[node.id()];
        if (d == null) {
            throw new IllegalArgumentException("node " + node + " is not part of this plan");
        }
        return new Tensor(node.shape(), d, offset[node.id()]);
    }

    /** Evaluates every step in order. */
    public void run() {
        for (Node node : steps) {
            execute(node);
        }
    }

    private void execute(Node n) {
        int o = offset[n.id()];
        float[] out = data[n.id()];
        int size = n.shape().size();
        switch (n.op()) {
            case MATMUL -> matmul(n, out, o);
            case ADD_BIAS -> {
                Node x = n.input(0);
                kernels.addRowVector(x.shape().dim(0), x.shape().dim(1), in(n, 0), off(n, 0), in(n, 1), off(n, 1), out, o);
            }
            case ADD -> kernels.add(size, in(n, 0), off(n, 0), in(n, 1), off(n, 1), out, o);
            case RELU -> kernels.relu(size, in(n, 0), off(n, 0), out, o);
            case RELU_BACKWARD -> kernels.reluBackward(size, in(n, 0), off(n, 0), in(n, 1), off(n, 1), out, o);
            case SUM_ROWS -> {
                Node x = n.input(0);
                kernels.sumRows(x.shape().dim(0), x.shape().dim(1), in(n, 0), off(n, 0), out, o);
            }
            case LOG_SOFTMAX -> LossOps.logSoftmax(n.shape().dim(0), n.shape().dim(1), in(n, 0), off(n, 0), out, o);
            case LOG_SOFTMAX_BACKWARD -> LossOps.logSoftmaxBackward(n.shape().dim(0), n.shape().dim(1),
                    in(n, 0), off(n, 0), in(n, 1), off(n, 1), out, o);
            case NLL -> {
                Node logp = n.input(0);
                out[o] = LossOps.nll(logp.shape().dim(0), logp.shape().dim(1), in(n, 0), off(n, 0), in(n, 1), off(n, 1));
            }
            case NLL_BACKWARD -> LossOps.nllBackward(n.shape().dim(0), n.shape().dim(1), in(n, 0), off(n, 0),
                    in(n, 1)[off(n, 1)], out, o);
            case MUL -> kernels.mul(size, in(n, 0), off(n, 0), in(n, 1), off(n, 1), out, o);
            case SUM -> out[o] = sum(n.input(0).shape().size(), in(n, 0), off(n, 0));
            case EXPAND -> Arrays.fill(out, o, o + size, in(n, 0)[off(n, 0)]);
            case COPY -> System.arraycopy(in(n, 0), off(n, 0), out, o, size);
            default -> throw new IllegalStateException("op " + n.op() + " is not executable (node " + n + ")");
        }
    }

    private void matmul(Node n, float[] out, int o) {
        Node a = n.input(0);
        Node b = n.input(1);
        int m = n.shape().dim(0);
        int cols = n.shape().dim(1);
        int k = n.transA() ? a.shape().dim(0) : a.shape().dim(1);
        kernels.gemm(n.transA(), n.transB(), m, cols, k, 1f, in(n, 0), off(n, 0), a.shape().dim(1),
                in(n, 1), off(n, 1), b.shape().dim(1), 0f, out, o, cols);
    }

    private static float sum(int n, float[] x, int off) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += x[off + i];
        }
        return (float) acc;
    }

    private float[] in(Node n, int i) {
        return data[n.input(i).id()];
    }

    private int off(Node n, int i) {
        return offset[n.input(i).id()];
    }
}
