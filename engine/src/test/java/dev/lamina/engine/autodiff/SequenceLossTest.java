package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.kernel.ScalarKernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sequence cross-entropy with ignore index -1 (with and without label smoothing 0.1) against
 * F.cross_entropy: loss within 1e-5, logit gradients within 1e-6; central differences.
 */
class SequenceLossTest {
    private static final float[] TARGETS = {1, 6, -1, 0, 3, 2, -1, -1, 4, 5};

    static java.util.stream.Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchesPyTorch(Kernels k) {
        GoldenFixture.load("seq_ce").compare(k,
                (g, n) -> SequenceLossOps.crossEntropy(g, n.get("logits"), n.get("targets"), -1, 0f), 1e-5, 1e-6);
        GoldenFixture.load("seq_ce_smooth").compare(k,
                (g, n) -> SequenceLossOps.crossEntropy(g, n.get("logits"), n.get("targets"), -1, 0.1f), 1e-5, 1e-6);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void gradientMatchesCentralDifference(Kernels k) {
        GradientChecker.check(k, List.of(Shape.of(2, 5, 7)),
                (g, p) -> SequenceLossOps.crossEntropy(g, p.get(0), g.input("y", Shape.of(2, 5)), -1, 0.1f),
                Map.of("y", TARGETS), false, 4);
    }

    @Test
    void allIgnoredGivesZeroLoss() {
        Graph g = new Graph();
        Node logits = g.input("logits", Shape.of(1, 2, 3));
        Node y = g.input("y", Shape.of(1, 2));
        Node loss = SequenceLossOps.crossEntropy(g, logits, y, -1, 0f);
        Plan plan = Plan.compile(ScalarKernels.INSTANCE, g, List.of(loss), Map.of());
        plan.tensor(y).data()[0] = -1;
        plan.tensor(y).data()[1] = -1;
        plan.run();
        assertEquals(0f, plan.tensor(loss).get(0));
    }

    @Test
    void badTargetsAreRefused() {
        Graph g = new Graph();
        Node logits = g.input("logits", Shape.of(2, 5, 7));
        ShapeOpsTest.assertNamed(() -> SequenceLossOps.crossEntropy(g, logits, g.input("y", Shape.of(2, 4)), -1, 0f),
                "[2, 5, 7]", "[2, 4]");
        Node y = g.input("y2", Shape.of(2, 5));
        Node loss = SequenceLossOps.crossEntropy(g, logits, y, -1, 0f);
        Plan plan = Plan.compile(ScalarKernels.INSTANCE, g, List.of(loss), Map.of());
        plan.tensor(y).data()[3] = 7;
        ShapeOpsTest.assertNamed(plan::run, "target 7.0", "[0, 7)");
    }
}
