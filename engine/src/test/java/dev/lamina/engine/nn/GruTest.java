package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.GradientChecker;
import dev.lamina.engine.autodiff.GruOps;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 2-layer GRU layer against PyTorch's nn.GRU (batch-first, same parameter names): full
 * sequence and last hidden state, output within 1e-6 and every gradient within 1e-5; central
 * differences through time (backprop through time over 4 steps, 2 layers).
 */
class GruTest {

    static Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void sequenceMatchesPyTorch(Kernels k) {
        RecurrentGolden.compare("gru", RecurrentConfig.gru(4, 2, true), k, 1e-6, 1e-5);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void lastHiddenStateMatchesPyTorch(Kernels k) {
        RecurrentGolden.compare("gru_last", RecurrentConfig.gru(4, 2, false), k, 1e-6, 1e-5);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void gradientsMatchCentralDifference(Kernels k) {
        Layer layer = RecurrentConfig.gru(3, 2, true).build(Shape.of(4, 2));
        int checked = GradientChecker.check(k, RecurrentGolden.shapes(layer, Shape.of(2, 4, 2)),
                (g, p) -> layer.apply(g, p.get(0), p.subList(1, p.size()), true), Map.of(), false, 31);
        assertTrue(checked > 100, "checked " + checked);
    }

    @Test
    void badShapesAreRefusedNamingBothShapes() {
        Graph g = new Graph();
        int gates = 12;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GruOps.gru(g,
                g.input("x", Shape.of(2, 5, 3)), g.input("wih", Shape.of(gates, 7)), g.input("whh", Shape.of(gates, 4)),
                g.input("bih", Shape.of(gates)), g.input("bhh", Shape.of(gates))));
        assertTrue(e.getMessage().contains("[2, 5, 3]") && e.getMessage().contains("[" + gates + ", 7]"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> RecurrentConfig.gru(4, 1, true).build(Shape.of(5)));
        assertEquals(true, e2.getMessage().contains("[5]"), e2.getMessage());
    }
}
