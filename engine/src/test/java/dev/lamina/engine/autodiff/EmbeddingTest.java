package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.kernel.ScalarKernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token embedding (forward and the scatter-add gradient, with repeated ids), sinusoidal position
 * table and diffusion timestep embedding against PyTorch: outputs within 1e-6 (timestep embedding
 * 2e-4: float32 arguments up to 999 rad), gradients within 1e-5.
 */
class EmbeddingTest {

    static java.util.stream.Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void embeddingMatchesPyTorch(Kernels k) {
        GoldenFixture.load("embedding").compare(k, (g, n) -> EmbeddingOps.embedding(g, n.get("ids"), n.get("weight")), 1e-6, 1e-5);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void sinusoidPositionsMatchPyTorch(Kernels k) {
        GoldenFixture.load("sinusoid_positions").compare(k,
                (g, n) -> SequenceOps.addBroadcast(g, n.get("x"), EmbeddingOps.sinusoidPositions(g, 6, 8)), 1e-6, 1e-6);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void timeEmbeddingMatchesPyTorch(Kernels k) {
        GoldenFixture.load("time_embedding").compare(k,
                (g, n) -> SequenceOps.addBroadcast(g, EmbeddingOps.timeEmbedding(g, n.get("t"), 16), n.get("bias")), 2e-4, 1e-5);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void tableGradientMatchesCentralDifference(Kernels k) {
        GradientChecker.check(k, List.of(Shape.of(5, 3)), (g, p) -> EmbeddingOps.embedding(g, g.input("ids", Shape.of(2, 4)), p.get(0)),
                Map.of("ids", new float[] {0, 4, 4, 1, 2, 2, 2, 0}), false, 3);
    }

    @Test
    void outOfRangeIdIsRefusedNamingTheIdAndVocabulary() {
        Graph g = new Graph();
        Node ids = g.input("ids", Shape.of(1, 2));
        Node out = EmbeddingOps.embedding(g, ids, g.input("w", Shape.of(3, 2)));
        Plan plan = Plan.compile(ScalarKernels.INSTANCE, g, List.of(out), Map.of());
        plan.tensor(ids).data()[1] = 3;
        ShapeOpsTest.assertNamed(plan::run, "token id 3.0", "[0, 3)");
        ShapeOpsTest.assertNamed(() -> EmbeddingOps.embedding(g, ids, g.input("v", Shape.of(3))), "embedding table", "[3]");
    }
}
