package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.GoldenFixture;
import dev.lamina.engine.autodiff.GradientChecker;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pre-norm Transformer block against the same block written with PyTorch functionals
 * (LayerNorm, multi_head_attention_forward with a causal mask, exact GELU): output within 1e-5,
 * every gradient within 2e-4; central differences over a small block with all its parameters.
 */
class TransformerBlockTest {

    static Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchesPyTorch(Kernels k) {
        TransformerBlock block = new TransformerBlock(Shape.of(6, 8), 2, true, 32, 1e-5f);
        GoldenFixture.load("transformer_block").compare(k, (g, n) -> {
            List<Node> ps = new ArrayList<>();
            for (ParameterSpec p : block.parameters()) {
                assertEquals(p.shape(), n.get(p.name()).shape(), p.name());
                ps.add(n.get(p.name()));
            }
            return block.apply(g, n.get("x"), ps, true);
        }, 1e-5, 2e-4);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void gradientsMatchCentralDifference(Kernels k) {
        TransformerBlock block = new TransformerBlock(Shape.of(3, 4), 2, true, 8, 1e-5f);
        List<Shape> shapes = new ArrayList<>(List.of(Shape.of(2, 3, 4)));
        block.parameters().forEach(p -> shapes.add(p.shape()));
        int checked = GradientChecker.check(k, shapes, (g, p) -> block.apply(g, p.get(0), p.subList(1, p.size()), true),
                Map.of(), false, 17);
        assertEquals(196, checked);
    }

    @Test
    void headsMustDivideChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TransformerBlockConfig(3, true, 4).build(Shape.of(6, 8)));
        assertTrue(e.getMessage().contains("[6, 8]") && e.getMessage().contains("heads=3"), e.getMessage());
    }
}
