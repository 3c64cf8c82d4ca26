package dev.lamina.engine.autodiff;

import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * One operation in a {@link Graph}: what it computes ({@link #op()}), from which nodes, and the
 * shape of its result. Building a node checks shapes and records; it does no arithmetic.
 *
 * @param id     position in the graph (creation order, which is a topological order)
 * @param op     the operation
 * @param inputs the operand nodes
 * @param shape  the result shape
 * @param name   a name for inputs and parameters (empty for others)
 * @param transA for MATMUL: use A transposed
 * @param transB for MATMUL: use B transposed
 * @param value  for FILL: the fill value; for NLL_BACKWARD: the class count
 */
public record Node(int id, Op op, List<Node> inputs, Shape shape, String name,
                   boolean transA, boolean transB, float value) {

    public Node input(int i) {
        return inputs.get(i);
    }

    @Override
    public String toString() {
        return op + "#" + id + (name.isEmpty() ? "" : "(" + name + ")") + shape;
    }
}
