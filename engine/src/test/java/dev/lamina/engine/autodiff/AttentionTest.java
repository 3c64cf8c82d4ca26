package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fused multi-head self-attention with PyTorch's in/out projections, compared with
 * F.multi_head_attention_forward (plain; causal with a key padding mask): output within 1e-5,
 * gradients within 1e-4. Central differences with and without masks.
 */
class AttentionTest {

    static java.util.stream.Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    private static Node mha(Graph g, Map<String, Node> n, boolean causal, boolean masked) {
        Node x = n.get("x");
        Node qkv = project(g, x, n.get("in_proj_weight"), n.get("in_proj_bias"));
        Node a = AttentionOps.attention(g, qkv, masked ? n.get("mask") : null, 2, causal);
        return project(g, a, n.get("out_proj.weight"), n.get("out_proj.bias"));
    }

    static Node project(Graph g, Node x, Node w, Node b) {
        int c = x.shape().dim(2);
        Node rows = SequenceOps.reshape(g, x, Shape.of(x.shape().size() / c, c));
        Node y = g.addBias(g.matmul(rows, w, false, true), b);
        return SequenceOps.reshape(g, y, Shape.of(x.shape().dim(0), x.shape().dim(1), w.shape().dim(0)));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchesPyTorch(Kernels k) {
        GoldenFixture.load("attention").compare(k, (g, n) -> mha(g, n, false, false), 1e-5, 1e-4);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void causalWithPaddingMatchesPyTorch(Kernels k) {
        GoldenFixture.load("attention_causal_masked").compare(k, (g, n) -> mha(g, n, true, true), 1e-5, 1e-4);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void gradientMatchesCentralDifference(Kernels k) {
        GradientChecker.check(k, List.of(Shape.of(2, 4, 12)), (g, p) -> AttentionOps.attention(g, p.get(0), 2, false),
                Map.of(), false, 21);
        GradientChecker.check(k, List.of(Shape.of(2, 4, 12)),
                (g, p) -> AttentionOps.attention(g, p.get(0), g.input("mask", Shape.of(2, 4)), 2, true),
                Map.of("mask", new float[] {1, 1, 1, 1, 1, 1, 0, 0}), false, 22);
    }

    /**
     * Heads of 16 and 32 channels, which the vector kernels compute in register tiles (the check above
     * has heads of 2, which they compute as GEMMs); 5 positions, so the last row block is partial.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void gradientOfWideHeadsMatchesCentralDifference(Kernels k) {
        for (boolean causal : new boolean[] {true, false}) {
            GradientChecker.check(k, List.of(Shape.of(2, 5, 96)), (g, p) -> AttentionOps.attention(g, p.get(0), 2, causal),
                    Map.of(), false, causal ? 23 : 24);
        }
        GradientChecker.check(k, List.of(Shape.of(1, 5, 96)), (g, p) -> AttentionOps.attention(g, p.get(0), 1, true),
                Map.of(), false, 25);
    }

    @Test
    void badShapesAreRefusedNamingBothShapes() {
        Graph g = new Graph();
        Node qkv = g.input("qkv", Shape.of(2, 4, 12));
        ShapeOpsTest.assertNamed(() -> AttentionOps.attention(g, qkv, 5, false), "[2, 4, 12]", "heads=5");
        ShapeOpsTest.assertNamed(() -> AttentionOps.attention(g, qkv, g.input("m", Shape.of(2, 5)), 2, false),
                "[2, 4, 12]", "[2, 5]");
    }
}
