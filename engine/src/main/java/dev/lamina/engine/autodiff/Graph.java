package dev.lamina.engine.autodiff;

import dev.lamina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A computation graph under construction. Each method checks its operands' shapes, appends one
 * {@link Node} and returns it; bad shapes throw {@link IllegalArgumentException} naming both shapes.
 * Nodes are numbered in creation order, which is a valid evaluation order.
 */
public final class Graph {
    private static final int[] NO_INTS = new int[0];
    private final List<Node> nodes = new ArrayList<>();

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public Node input(String name, Shape shape) {
        return node(Op.INPUT, List.of(), shape, name, NO_INTS, 0f, 0);
    }

    public Node param(String name, Shape shape) {
        return node(Op.PARAM, List.of(), shape, name, NO_INTS, 0f, 0);
    }

    public Node fill(Shape shape, float value) {
        return node(Op.FILL, List.of(), shape, "", NO_INTS, value, 0);
    }

    /** op(a) [M, K] times op(b) [K, N]. */
    public Node matmul(Node a, Node b, boolean transA, boolean transB) {
        return node(Op.MATMUL, List.of(a, b), matmulShape(a, b, transA, transB), "",
                new int[] {transA ? 1 : 0, transB ? 1 : 0}, 0f, 0);
    }

    /** The shape of op(A) op(B), after checking ranks and inner dimensions (errors name both shapes). */
    private static Shape matmulShape(Node a, Node b, boolean transA, boolean transB) {
        requireRank(a, 2, "matmul a");
        requireRank(b, 2, "matmul b");
        int m = transA ? a.shape().dim(1) : a.shape().dim(0);
        int ka = transA ? a.shape().dim(0) : a.shape().dim(1);
        int kb = transB ? b.shape().dim(1) : b.shape().dim(0);
        int n = transB ? b.shape().dim(0) : b.shape().dim(1);
        if (ka != kb) {
            throw new IllegalArgumentException("matmul shape mismatch: a=" + a.shape() + (transA ? "^T" : "")
                    + ", b=" + b.shape() + (transB ? "^T" : "") + " (expected: inner dimensions equal)");
        }
        return Shape.of(m, n);
    }

    /**
     * op(A) op(B) + bias on every row, as {@code addBias(matmul(a, b, transA, transB), bias)} but in one
     * node: the bias is added as the product is written (no second pass over the output).
     */
    public Node matmulBias(Node a, Node b, boolean transA, boolean transB, Node bias) {
        Shape product = matmulShape(a, b, transA, transB);
        requireRank(bias, 1, "matmulBias bias");
        if (bias.shape().dim(0) != product.dim(1)) {
            throw new IllegalArgumentException("matmulBias shape mismatch: product=" + product + ", bias="
                    + bias.shape() + " (expected: bias length = product columns)");
        }
        return node(Op.MATMUL, List.of(a, b, bias), product, "", new int[] {transA ? 1 : 0, transB ? 1 : 0}, 0f, 0);
    }

    public Node addBias(Node x, Node bias) {
        requireRank(x, 2, "addBias x");
        requireRank(bias, 1, "addBias bias");
        if (bias.shape().dim(0) != x.shape().dim(1)) {
            throw new IllegalArgumentException("addBias shape mismatch: x=" + x.shape() + ", bias=" + bias.shape()
                    + " (expected: bias length = x columns)");
        }
        return unary(Op.ADD_BIAS, List.of(x, bias), x.shape());
    }

    public Node add(Node a, Node b) {
        requireSame(a, b, "add");
        return unary(Op.ADD, List.of(a, b), a.shape());
    }

    public Node relu(Node x) {
        return unary(Op.RELU, List.of(x), x.shape());
    }

    public Node reluBackward(Node x, Node g) {
        requireSame(x, g, "reluBackward");
        return unary(Op.RELU_BACKWARD, List.of(x, g), x.shape());
    }

    public Node sumRows(Node x) {
        requireRank(x, 2, "sumRows x");
        return unary(Op.SUM_ROWS, List.of(x), Shape.of(x.shape().dim(1)));
    }

    public Node logSoftmax(Node x) {
        requireRank(x, 2, "logSoftmax x");
        return unary(Op.LOG_SOFTMAX, List.of(x), x.shape());
    }

    public Node logSoftmaxBackward(Node y, Node g) {
        requireSame(y, g, "logSoftmaxBackward");
        return unary(Op.LOG_SOFTMAX_BACKWARD, List.of(y, g), y.shape());
    }

    /** Mean negative log-likelihood of integer class labels (stored as floats) under log-probabilities. */
    public Node nll(Node logp, Node labels) {
        requireRank(logp, 2, "nll logp");
        requireRank(labels, 1, "nll labels");
        if (labels.shape().dim(0) != logp.shape().dim(0)) {
            throw new IllegalArgumentException("nll shape mismatch: logp=" + logp.shape() + ", labels=" + labels.shape()
                    + " (expected: one label per row)");
        }
        return unary(Op.NLL, List.of(logp, labels), Shape.of(1));
    }

    public Node nllBackward(Node labels, Node g, int classes) {
        requireRank(labels, 1, "nllBackward labels");
        if (g.shape().size() != 1) {
            throw new IllegalArgumentException("nllBackward g=" + g.shape() + " (expected: a scalar [1])");
        }
        return node(Op.NLL_BACKWARD, List.of(labels, g), Shape.of(labels.shape().dim(0), classes), "", NO_INTS,
                classes, 0);
    }

    public Node mul(Node a, Node b) {
        requireSame(a, b, "mul");
        return unary(Op.MUL, List.of(a, b), a.shape());
    }

    /** The sum of all elements, as a scalar [1]. */
    public Node sum(Node x) {
        return unary(Op.SUM, List.of(x), Shape.of(1));
    }

    /** A scalar [1] broadcast to {@code shape}. */
    public Node expand(Node scalar, Shape shape) {
        if (scalar.shape().size() != 1) {
            throw new IllegalArgumentException("expand x=" + scalar.shape() + " (expected: a scalar [1])");
        }
        return unary(Op.EXPAND, List.of(scalar), shape);
    }

    public Node copy(Node x) {
        return unary(Op.COPY, List.of(x), x.shape());
    }

    private Node unary(Op op, List<Node> inputs, Shape shape) {
        return node(op, inputs, shape, "", NO_INTS, 0f, 0);
    }

    /**
     * Appends a node: the low-level builder that op families ({@code *Ops} classes in this
     * package) use after checking their shapes.
     *
     * @param ints    integer attributes (copied)
     * @param value   the float attribute
     * @param scratch floats of per-node scratch the plan allocates
     */
    Node node(Op op, List<Node> inputs, Shape shape, String name, int[] ints, float value, int scratch) {
        for (Node in : inputs) {
            if (in.id() >= nodes.size() || nodes.get(in.id()) != in) {
                throw new IllegalArgumentException("node " + in + " belongs to another graph");
            }
        }
        Node node = new Node(nodes.size(), op, List.copyOf(inputs), shape, name, ints.clone(), value, scratch);
        nodes.add(node);
        return node;
    }

    static void requireRank(Node x, int rank, String what) {
        if (x.shape().rank() != rank) {
            throw new IllegalArgumentException(what + " shape " + x.shape() + " (expected: rank " + rank + ")");
        }
    }

    static void requireSame(Node a, Node b, String what) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(what + " shape mismatch: a=" + a.shape() + ", b=" + b.shape()
                    + " (expected: equal shapes)");
        }
    }
}
