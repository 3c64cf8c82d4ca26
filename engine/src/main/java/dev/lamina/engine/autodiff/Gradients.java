package dev.lamina.engine.autodiff;

import dev.lamina.engine.tensor.Shape;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reverse-mode differentiation: extends a graph with the nodes that compute gradients. */
public final class Gradients {

    private Gradients() {
    }

    /**
     * Adds to {@code graph} the nodes computing d loss / d w for every w in {@code wrt}, and returns
     * them keyed by w (a zero-filled node for a w the loss does not depend on). Contributions from
     * several consumers are summed with ADD nodes. {@code loss} must be a scalar of shape [1].
     */
    public static Map<Node, Node> of(Graph graph, Node loss, Collection<Node> wrt) {
        if (loss.shape().size() != 1) {
            throw new IllegalArgumentException("loss shape " + loss.shape() + " (expected: a scalar [1])");
        }
        int count = loss.id() + 1;
        boolean[] requires = new boolean[count];
        for (Node w : wrt) {
            if (w.id() < count) {
                requires[w.id()] = true;
            }
        }
        for (Node n : graph.nodes().subList(0, count)) {
            for (Node in : n.inputs()) {
                requires[n.id()] |= requires[in.id()];
            }
        }
        Node[] grads = new Node[count];
        grads[loss.id()] = graph.fill(Shape.of(1), 1f);
        for (int id = loss.id(); id >= 0; id--) {
            Node node = graph.nodes().get(id);
            Node up = grads[id];
            if (up == null || !requires[id] || node.inputs().isEmpty()) {
                continue;
            }
            Node[] inputGrads = OpRegistry.ruleFor(node).apply(graph, node, up);
            for (int i = 0; i < inputGrads.length; i++) {
                Node in = node.input(i);
                if (inputGrads[i] == null || !requires[in.id()]) {
                    continue;
                }
                Node prev = grads[in.id()];
                grads[in.id()] = prev == null ? inputGrads[i] : graph.add(prev, inputGrads[i]);
            }
        }
        Map<Node, Node> result = new LinkedHashMap<>();
        for (Node w : wrt) {
            Node gw = w.id() < count ? grads[w.id()] : null;
            result.put(w, gw != null ? gw : graph.fill(w.shape(), 0f));
        }
        return result;
    }
}
