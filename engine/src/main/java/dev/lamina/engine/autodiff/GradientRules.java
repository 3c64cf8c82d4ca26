package dev.lamina.engine.autodiff;

import java.util.EnumMap;
import java.util.Map;

/**
 * The one table of gradient rules, keyed by op. Each rule is written in forward ops: given the node
 * and the gradient flowing into it, it adds nodes to the graph that compute the gradient of each
 * input ({@code null} where an input takes no gradient, such as labels).
 */
final class GradientRules {

    /** A gradient rule: returns one gradient node per input of {@code node}, or null entries. */
    @FunctionalInterface
    interface Rule {
        Node[] apply(Graph g, Node node, Node upstream);
    }

    private static final Map<Op, Rule> RULES = new EnumMap<>(Op.class);

    static {
        RULES.put(Op.MATMUL, GradientRules::matmul);
        RULES.put(Op.ADD_BIAS, (g, n, up) -> new Node[] {up, g.sumRows(up)});
        RULES.put(Op.ADD, (g, n, up) -> new Node[] {up, up});
        RULES.put(Op.RELU, (g, n, up) -> new Node[] {g.reluBackward(n.input(0), up)});
        RULES.put(Op.LOG_SOFTMAX, (g, n, up) -> new Node[] {g.logSoftmaxBackward(n, up)});
        RULES.put(Op.NLL, (g, n, up) -> new Node[] {
            g.nllBackward(n.input(1), up, n.input(0).shape().dim(1)), null});
        RULES.put(Op.MUL, (g, n, up) -> new Node[] {g.mul(up, n.input(1)), g.mul(up, n.input(0))});
        RULES.put(Op.SUM, (g, n, up) -> new Node[] {g.expand(up, n.input(0).shape())});
        RULES.put(Op.EXPAND, (g, n, up) -> new Node[] {g.sum(up)});
        RULES.put(Op.COPY, (g, n, up) -> new Node[] {up});
    }

    private GradientRules() {
    }

    /** The rule for {@code node}'s op; throws naming the op when there is none. */
    static Rule ruleFor(Node node) {
        Rule rule = RULES.get(node.op());
        if (rule == null) {
            throw new IllegalArgumentException("no gradient rule for op " + node.op() + " (node " + node + ")");
        }
        return rule;
    }

    /**
     * C = op(A) op(B). d op(A) = G op(B)^T and d op(B) = op(A)^T G; transposed operands take the
     * transpose of those.
     */
    private static Node[] matmul(Graph g, Node n, Node up) {
        Node a = n.input(0);
        Node b = n.input(1);
        boolean ta = n.transA();
        boolean tb = n.transB();
        Node da = ta ? g.matmul(b, up, tb, true) : g.matmul(up, b, false, !tb);
        Node db = tb ? g.matmul(up, a, true, ta) : g.matmul(a, up, !ta, false);
        return new Node[] {da, db};
    }
}
