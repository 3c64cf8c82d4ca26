package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.engine.autodiff.GoldenFixture;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/** Runs a PyTorch nn.LSTM / nn.GRU fixture (2 layers, I = 3, H = 4, x [2, 5, 3]) through the layer. */
final class RecurrentGolden {

    private RecurrentGolden() {
    }

    static void compare(String fixture, RecurrentConfig config, Kernels k, double outTol, double gradTol) {
        Layer layer = config.build(Shape.of(5, 3));
        GoldenFixture.load(fixture).compare(k, (g, n) -> {
            List<Node> ps = new ArrayList<>();
            for (ParameterSpec p : layer.parameters()) {
                assertEquals(p.shape(), n.get(p.name()).shape(), p.name());
                ps.add(n.get(p.name()));
            }
            return layer.apply(g, n.get("x"), ps, true);
        }, outTol, gradTol);
    }

    static List<Shape> shapes(Layer layer, Shape x) {
        List<Shape> shapes = new ArrayList<>(List.of(x));
        layer.parameters().forEach(p -> shapes.add(p.shape()));
        return shapes;
    }
}
