package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The condition layer: x plus a 1x1 projection of saved condition planes averaged to x's size. */
class ConditionLayerTest {

    private static ModelSpec spec() {
        return ModelSpec.fromJson("""
                {"input": [3, 4, 4], "layers": [
                  {"type": "save", "name": "in"},
                  {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1},
                  {"type": "condition", "from": "in", "skip": 1},
                  {"type": "tanh"},
                  {"type": "avgpool2d", "kernel": 2},
                  {"type": "condition", "from": "in"},
                  {"type": "flatten"}, {"type": "linear", "units": 3}],
                 "loss": "softmax-cross-entropy"}""");
    }

    @Test
    void specRoundTripsAndChecksItsSource() {
        ModelSpec spec = spec();
        assertEquals(spec, ModelSpec.fromJson(spec.toJson()));
        assertEquals(4 * 2, Model.of(spec).parameters().get(2).shape().size(), "weight [4, 2, 1, 1]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(Map.of(
                "input", List.of(3, 4, 4), "loss", "mse", "layers", List.of(Map.of("type", "condition", "from", "x")))));
        assertTrue(e.getMessage().contains("condition from : x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(Map.of("input", List.of(3, 4, 4),
                "loss", "mse", "layers", List.of(Map.of("type", "save", "name", "in"),
                        Map.of("type", "conv2d", "filters", 2, "kernel", 2),
                        Map.of("type", "condition", "from", "in")))));
        assertTrue(e.getMessage().contains("whole multiple"), e.getMessage());
    }

    /** One sample by hand: y[o] = x[o] + w[o] * (the plane's mean over the 2x2 window), x = both channels pooled. */
    @Test
    void addsTheProjectedAveragedPlanes() {
        ModelSpec spec = ModelSpec.fromJson("""
                {"input": [2, 2, 2], "layers": [
                  {"type": "save", "name": "in"},
                  {"type": "avgpool2d", "kernel": 2},
                  {"type": "condition", "from": "in"},
                  {"type": "flatten"}],
                 "loss": "mse"}""");
        Model model = Model.of(spec);
        float[] params = {0.5f, 0.25f};
        ForwardStep step = model.forwardStep(1, params, KernelProvider.kernels());
        float[] x = {1, 2, 3, 6, 10, 20, 30, 40};   // image 2x2, then one plane
        System.arraycopy(x, 0, step.features().data(), step.features().offset(), 8);
        step.run();
        assertEquals((1 + 2 + 3 + 6) / 4f + 0.5f * (10 + 20 + 30 + 40) / 4f, step.output().get(0), 1e-5);
        assertEquals((10 + 20 + 30 + 40) / 4f * 1.25f, step.output().get(1), 1e-5);
    }

    @Test
    void gradientMatchesCentralDifference() {
        Model model = Model.of(spec());
        float[] params = model.initialParameters(3);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(3, params, grads, KernelProvider.kernels());
        SplittableRandom random = new SplittableRandom(9);
        Tensor x = step.features();
        for (int i = 0; i < x.size(); i++) {
            x.data()[x.offset() + i] = (float) random.nextDouble(-1, 1);
        }
        for (int r = 0; r < 3; r++) {
            step.labels().data()[step.labels().offset() + r] = r;
        }
        // Every weight of both condition layers, and every fifth of the rest.
        int checked = StepGradients.check(model, step, params, grads, i -> i % 5 == 0
                || model.parameterAt(i).name().startsWith("layers.2.") || model.parameterAt(i).name().startsWith("layers.5."));
        assertTrue(checked >= 16, "checked " + checked);
    }
}
