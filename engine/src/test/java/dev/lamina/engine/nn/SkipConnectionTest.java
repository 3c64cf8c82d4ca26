package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SkipConnectionTest {

    private static ModelSpec residualMlp() {
        return new ModelSpec(List.of(6), List.of(new LinearConfig(8), new SkipConfig("save", "r", 0), new ReluConfig(),
                new LinearConfig(8), new SkipConfig("add", "r", 0), new ReluConfig(), new LinearConfig(3)),
                "softmax-cross-entropy");
    }

    /** A two-level U-Net-like autoencoder: the decoder concatenates the encoder's feature map. */
    private static ModelSpec tinyUnet() {
        return ModelSpec.fromJson("""
                {"input": [1, 8, 8], "layers": [
                  {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
                  {"type": "save", "name": "enc1"},
                  {"type": "maxpool2d", "kernel": 2},
                  {"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1}, {"type": "relu"},
                  {"type": "upsample", "scale": 2},
                  {"type": "concat", "from": "enc1"},
                  {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
                  {"type": "conv2d", "filters": 1, "kernel": 1}],
                 "loss": "mse"}""");
    }

    @Test
    void specsRoundTripAndShapesAreInferred() {
        for (ModelSpec spec : List.of(residualMlp(), tinyUnet())) {
            assertEquals(spec, ModelSpec.fromJson(spec.toJson()));
            assertEquals(spec.toJson(), ModelSpec.fromJson(spec.toJson()).toJson());
        }
        assertEquals(Shape.of(1, 8, 8), tinyUnet().outputShape());
    }

    @Test
    void residualGradientMatchesCentralDifference() {
        Model model = Model.of(residualMlp());
        float[] params = model.initialParameters(3);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(4, params, grads, KernelProvider.kernels());
        SplittableRandom random = new SplittableRandom(9);
        Tensor x = step.features();
        for (int i = 0; i < x.size(); i++) {
            x.data()[x.offset() + i] = (float) random.nextDouble(-1, 1);
        }
        for (int r = 0; r < 4; r++) {
            step.labels().data()[step.labels().offset() + r] = r % 3;
        }
        StepGradients.check(model, step, params, grads, i -> i % 7 == 0);
    }

    @Test
    void tinyUnetLearnsToReconstruct() {
        Model model = Model.of(tinyUnet());
        float[] params = model.initialParameters(5);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(16, params, grads, KernelProvider.kernels());
        Optimizer adam = OptimizerConfig.defaults().withType("adam").withLearningRate(0.01).create(model.parameterCount());
        SplittableRandom random = new SplittableRandom(2);
        float first = 0;
        float last = 0;
        for (int s = 0; s < 300; s++) {
            Tensor x = step.features();
            for (int b = 0; b < 16; b++) {
                int row = random.nextInt(8);
                for (int i = 0; i < 64; i++) {
                    float v = i / 8 == row ? 1f : 0f;
                    x.data()[x.offset() + b * 64 + i] = v;
                    step.labels().data()[step.labels().offset() + b * 64 + i] = v;
                }
            }
            last = step.run();
            first = s == 0 ? last : first;
            adam.step(params, grads);
        }
        assertTrue(last < first / 10, "mse " + first + " -> " + last);
    }

    @Test
    void badWiringIsNamed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> new ModelSpec(List.of(4),
                List.of(new LinearConfig(4), new SkipConfig("add", "nope", 0), new LinearConfig(2)), "softmax-cross-entropy"));
        assertTrue(unknown.getMessage().contains("nope") && unknown.getMessage().contains("layers[1]"), unknown.getMessage());
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class, () -> new ModelSpec(List.of(4),
                List.of(new SkipConfig("save", "s", 0), new LinearConfig(5), new SkipConfig("add", "s", 0),
                        new LinearConfig(2)), "softmax-cross-entropy"));
        assertTrue(shapes.getMessage().contains("x=[5]") && shapes.getMessage().contains("s=[4]"), shapes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(Map.of("input", 4, "layers",
                List.of(Map.of("type", "save", "name", "a"), Map.of("type", "save", "name", "a"),
                        Map.of("type", "linear", "units", 2)))));
    }
}
