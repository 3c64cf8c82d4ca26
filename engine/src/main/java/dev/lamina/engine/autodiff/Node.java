package dev.lamina.engine.autodiff;

import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * One operation in a {@link Graph}: what it computes ({@link #op()}), from which nodes, and the
 * shape of its result. Building a node checks shapes and records; it does no arithmetic. Nodes have
 * identity semantics (a graph is a DAG; structural equality would hash whole sub-graphs).
 */
public final class Node {
    private final int id;
    private final Op op;
    private final List<Node> inputs;
    private final Shape shape;
    private final String name;
    private final int[] ints;
    private final float value;
    private final int scratch;

    Node(int id, Op op, List<Node> inputs, Shape shape, String name, int[] ints, float value, int scratch) {
        this.id = id;
        this.op = op;
        this.inputs = inputs;
        this.shape = shape;
        this.name = name;
        this.ints = ints;
        this.value = value;
        this.scratch = scratch;
    }

    /** Position in the graph (creation order, which is a topological order). */
    public int id() {
        return id;
    }

    public Op op() {
        return op;
    }

    public List<Node> inputs() {
        return inputs;
    }

    public Node input(int i) {
        return inputs.get(i);
    }

    public Shape shape() {
        return shape;
    }

    /** A name for inputs and parameters (empty for others). */
    public String name() {
        return name;
    }

    /** Integer attribute i (e.g. transposes, strides, paddings); the meaning is the op's. */
    public int intAttr(int i) {
        return ints[i];
    }

    /** How many integer attributes the node has. */
    public int intAttrCount() {
        return ints.length;
    }

    /** The float attribute (FILL value, a slope, an epsilon...); the meaning is the op's. */
    public float value() {
        return value;
    }

    /**
     * Floats of per-node scratch the plan allocates beside the output (saved statistics, masks,
     * im2col workspace). Backward nodes that take this node as an input may read it.
     */
    public int scratchSize() {
        return scratch;
    }

    /** For MATMUL: A is transposed. */
    public boolean transA() {
        return ints[0] != 0;
    }

    /** For MATMUL: B is transposed. */
    public boolean transB() {
        return ints[1] != 0;
    }

    @Override
    public String toString() {
        return op + "#" + id + (name.isEmpty() ? "" : "(" + name + ")") + shape;
    }
}
