package dev.lamina.engine.autodiff;

/**
 * A gradient rule, written in forward ops: given a node and the gradient flowing into it, it adds
 * nodes computing the gradient of each input and returns them (null where an input takes none).
 */
@FunctionalInterface
public interface GradientRule {
    Node[] apply(Graph graph, Node node, Node upstream);
}
