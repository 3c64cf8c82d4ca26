package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.CentralDifference.Values;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.loss.LossFunction;
import dev.lamina.engine.loss.Losses;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** mse, l1 and bce-with-logits against PyTorch (1e-5 abs + 1e-4 rel) and central differences. */
class LossesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mse, loss_mse", "l1, loss_l1", "bce-with-logits, loss_bce_with_logits"})
    void matchesPyTorch(String loss, String fixture) {
        LossFunction f = Losses.forName(loss);
        assertFalse(f.classification());
        CnnGoldenFixture.load(fixture).check(GradientCheckTest.kernels().findFirst().orElseThrow(),
                (g, in) -> f.build(g, in.get("y"), in.get("t")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0", "2"})  // l1 is not differentiable at 0 and its kinks defeat central differences
    void gradientsMatchCentralDifference(int kind) {
        Kernels k = GradientCheckTest.kernels().findFirst().orElseThrow();
        CentralDifference.check(k, List.of(Shape.of(3, 4), Shape.of(3, 4)), 1,
                (g, x) -> PointwiseLossOps.pointwiseLoss(g, x.get(0), x.get(1), kind), Values.UNIFORM, 30 + kind);
    }

    @Test
    void targetShapeMustMatch() {
        Graph g = new Graph();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.forName("mse")
                .build(g, g.input("y", Shape.of(2, 3)), g.input("t", Shape.of(3, 2))));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"), e.getMessage());
    }
}
