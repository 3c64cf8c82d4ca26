package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Activations against PyTorch 1.13 (output within 1e-6, gradient within 1e-5 absolute; GELU is the
 * exact erf form, F.gelu's default) and central differences on a rank-3 input. "gelu_saving" is GELU
 * as training graphs build it, saving its derivative in the forward for the backward.
 */
class ActivationsTest {

    static Stream<Arguments> cases() {
        Map<String, BiFunction<Graph, Node, Node>> ops = Map.of(
                "tanh", ActivationOps::tanh,
                "sigmoid", ActivationOps::sigmoid,
                "gelu", ActivationOps::gelu,
                "gelu_saving", (g, x) -> ActivationOps.gelu(g, x, true),
                "silu", ActivationOps::silu,
                "leaky_relu", (g, x) -> ActivationOps.leakyRelu(g, x, 0.1f),
                "softmax", ActivationOps::softmax);
        return ops.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .flatMap(e -> GradientChecker.kernels().map(k -> Arguments.of(e.getKey(), e.getValue(), k)));
    }

    @ParameterizedTest(name = "{0} ({2})")
    @MethodSource("cases")
    void matchesPyTorch(String name, BiFunction<Graph, Node, Node> op, Kernels kernels) {
        GoldenFixture.load(name.replace("_saving", "")).compare(kernels, (g, n) -> op.apply(g, n.get("x")), 1e-6, 1e-5);
    }

    @ParameterizedTest(name = "{0} ({2})")
    @MethodSource("cases")
    void gradientMatchesCentralDifference(String name, BiFunction<Graph, Node, Node> op, Kernels kernels) {
        int checked = GradientChecker.check(kernels, List.of(Shape.of(2, 3, 4)), (g, p) -> op.apply(g, p.get(0)),
                Map.of(), name.equals("leaky_relu"), 5);
        assertTrue(checked == 24);
    }
}
