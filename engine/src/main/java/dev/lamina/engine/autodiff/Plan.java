package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A compiled evaluation of part of a {@link Graph}: the nodes needed for some outputs, in order, each
 * with its buffer (and scratch) allocated once here; a reshape that is not bound to storage of its own
 * is a view of its input's buffer (no copy, no step). {@link #run()} allocates nothing, so a training
 * step in the steady state creates no garbage. Parameters and their gradients are bound to views of
 * the model's flat buffers; inputs are written through {@link #tensor(Node)} before each run.
 */
public final class Plan implements Buffers {
    private static final float[] EMPTY = new float[0];

    private final Kernels kernels;
    private final Node[] steps;
    private final OpExecutor[] executors;
    private final float[][] data;
    private final int[] offset;
    private final float[][] scratch;
    private final StepProfile.Counters[] timers;
    /** The per-thread allocation counter profiling reads (null when it is off or the JVM has none). */
    private static final com.sun.management.ThreadMXBean ALLOCATIONS = StepProfile.ENABLED
            && java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx
            && mx.isThreadAllocatedMemorySupported() ? mx : null;

    private Plan(Kernels kernels, Node[] steps, float[][] data, int[] offset, float[][] scratch) {
        this.kernels = kernels;
        this.steps = steps;
        this.data = data;
        this.offset = offset;
        this.scratch = scratch;
        this.executors = new OpExecutor[steps.length];
        for (int i = 0; i < steps.length; i++) {
            executors[i] = OpRegistry.executorFor(steps[i]);
        }
        this.timers = StepProfile.ENABLED ? new StepProfile.Counters[steps.length] : null;
        if (timers != null) {
            for (int i = 0; i < steps.length; i++) {
                timers[i] = StepProfile.timer(steps[i]);
            }
        }
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
        float[][] scratch = new float[count][];
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
            } else if (node.op() == Op.RESHAPE) {
                // A view: the same values in the same order. No executor writes into another node's
                // buffer, so reading the input's storage is reading what a copy would hold.
                Node in = node.input(0);
                data[node.id()] = data[in.id()];
                offset[node.id()] = offset[in.id()];
                scratch[node.id()] = EMPTY;
                continue;
            } else {
                data[node.id()] = new float[node.shape().size()];
            }
            scratch[node.id()] = node.scratchSize() == 0 ? EMPTY : new float[node.scratchSize()];
            if (node.op() == Op.FILL) {
                Arrays.fill(data[node.id()], offset[node.id()], offset[node.id()] + node.shape().size(), node.value());
            } else if (node.op() != Op.INPUT && node.op() != Op.PARAM) {
                steps.add(node);
            }
        }
        return new Plan(kernels, steps.toArray(new Node[0]), data, offset, scratch);
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
        if (timers != null) {
            runTimed();
            return;
        }
        for (int i = 0; i < steps.length; i++) {
            executors[i].run(steps[i], this);
        }
    }

    private void runTimed() {
        for (int i = 0; i < steps.length; i++) {
            long b0 = ALLOCATIONS == null ? 0 : ALLOCATIONS.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            executors[i].run(steps[i], this);
            timers[i].nanos().add(System.nanoTime() - t0);
            if (ALLOCATIONS != null) {
                timers[i].bytes().add(ALLOCATIONS.getCurrentThreadAllocatedBytes() - b0);
            }
        }
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public float[] data(Node n) {
        return data[n.id()];
    }

    @Override
    public int offset(Node n) {
        return offset[n.id()];
    }

    @Override
    public float[] scratch(Node n) {
        return scratch[n.id()];
    }
}
