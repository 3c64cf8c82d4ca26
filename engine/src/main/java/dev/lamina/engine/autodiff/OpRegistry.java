package dev.lamina.engine.autodiff;

import java.util.EnumMap;
import java.util.Map;

/**
 * The one table of executors and the one table of gradient rules, keyed by op. Each op family
 * ({@code CoreOps}, ...) registers its entries here once.
 */
final class OpRegistry {
    private static final Map<Op, OpExecutor> EXECUTORS = new EnumMap<>(Op.class);
    private static final Map<Op, GradientRule> RULES = new EnumMap<>(Op.class);

    static {
        CoreOps.register();
        ConvOps.register();
        ActivationOps.register();
        SequenceOps.register();
        EmbeddingOps.register();
        LayerNormOps.register();
        AttentionOps.register();
        SequenceLossOps.register();
        LstmOps.register();
        GruOps.register();
        NormOps.register();
    }

    private OpRegistry() {
    }

    static void executor(Op op, OpExecutor executor) {
        if (EXECUTORS.put(op, executor) != null) {
            throw new IllegalStateException("two executors for op " + op);
        }
    }

    static void rule(Op op, GradientRule rule) {
        if (RULES.put(op, rule) != null) {
            throw new IllegalStateException("two gradient rules for op " + op);
        }
    }

    /** The executor for node's op; throws naming the op when there is none. */
    static OpExecutor executorFor(Node node) {
        OpExecutor e = EXECUTORS.get(node.op());
        if (e == null) {
            throw new IllegalStateException("op " + node.op() + " is not executable (node " + node + ")");
        }
        return e;
    }

    /** The gradient rule for node's op; throws naming the op when there is none. */
    static GradientRule ruleFor(Node node) {
        GradientRule rule = RULES.get(node.op());
        if (rule == null) {
            throw new IllegalArgumentException("no gradient rule for op " + node.op() + " (node " + node + ")");
        }
        return rule;
    }
}
