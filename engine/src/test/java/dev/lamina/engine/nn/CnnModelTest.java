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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Convolutional models end to end: specs, training (classifier and autoencoder), gradients, allocation. */
class CnnModelTest {

    /** conv-relu-pool-flatten-linear on [1, 8, 8] images, 3 classes. */
    static ModelSpec smallCnn() {
        return new ModelSpec(List.of(1, 8, 8), List.of(Conv2dConfig.of(4, 3).withPadding(1), new ReluConfig(),
                PoolConfig.maxPool(2), ReshapeConfig.flatten(), new LinearConfig(3)), ModelSpec.SOFTMAX_CROSS_ENTROPY);
    }

    /** Encoder conv-relu-pool, decoder conv-relu-upsample-conv, mean squared reconstruction error. */
    static ModelSpec smallAutoencoder() {
        return new ModelSpec(List.of(1, 8, 8), List.of(Conv2dConfig.of(8, 3).withPadding(1), new ReluConfig(),
                PoolConfig.maxPool(2), Conv2dConfig.of(8, 3).withPadding(1), new ReluConfig(), ReshapeConfig.upsample(2),
                Conv2dConfig.of(1, 3).withPadding(1)), "mse");
    }

    /**
     * Class 0: a horizontal bar, class 1: a vertical bar, class 2: a 2 x 2 blob, at random places,
     * plus Gaussian noise of standard deviation 0.3. A rank-1 y gets the labels; any other y gets the
     * clean images (the targets of a denoising autoencoder).
     */
    static void fillImages(Tensor x, Tensor y, SplittableRandom random) {
        int batch = x.shape().dim(0);
        for (int b = 0; b < batch; b++) {
            int label = random.nextInt(3);
            int base = x.offset() + b * 64;
            int r = random.nextInt(7);
            int c = random.nextInt(7);
            for (int i = 0; i < 64; i++) {
                int row = i / 8;
                int col = i % 8;
                boolean on = switch (label) {
                    case 0 -> row == r;
                    case 1 -> col == c;
                    default -> (row == r || row == r + 1) && (col == c || col == c + 1);
                };
                x.data()[base + i] = (on ? 1f : 0f) + (float) (0.3 * random.nextGaussian());
                if (y.shape().rank() > 1) {
                    y.data()[y.offset() + b * 64 + i] = on ? 1f : 0f;
                }
            }
            if (y.shape().rank() == 1) {
                y.data()[y.offset() + b] = label;
            }
        }
    }

    @Test
    void specsRoundTripThroughJsonExactly() {
        for (ModelSpec spec : List.of(smallCnn(), smallAutoencoder(), new ModelSpec(List.of(3, 8, 8), List.of(
                new Conv2dConfig(6, 3, 2, 1, 2, 3, false), new BatchNormConfig(1e-3), new DropoutConfig(0.25, 7),
                new PoolConfig(false, 3, 1, 1), ReshapeConfig.globalAvgPool(), new LinearConfig(2)), "bce-with-logits"))) {
            String json = spec.toJson();
            ModelSpec back = ModelSpec.fromJson(json);
            assertEquals(spec, back);
            assertEquals(json, back.toJson());
        }
        assertEquals(Shape.of(1, 8, 8), smallAutoencoder().outputShape());
    }

    @Test
    void badLayerInputNamesTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelSpec(List.of(3, 4, 4),
                List.of(new Conv2dConfig(2, 5, 1, 0, 1, 1, true)), "mse"));
        assertTrue(e.getMessage().contains("layers[0]") && e.getMessage().contains("[1, 3, 4, 4]")
                && e.getMessage().contains("[2, 3, 5, 5]"), e.getMessage());
    }

    @Test
    void tinyCnnLearnsBarsAndBlobs() {
        Model model = Model.of(smallCnn());
        float[] params = model.initialParameters(11);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(32, params, grads, KernelProvider.kernels());
        Optimizer optimizer = OptimizerConfig.defaults().withType("adam").withLearningRate(0.01).create(params.length);
        SplittableRandom random = new SplittableRandom(2);
        float first = 0;
        float last = 0;
        for (int s = 0; s < 300; s++) {
            fillImages(step.features(), step.labels(), random);
            float loss = step.run();
            first = s < 10 ? first + loss / 10 : first;
            last = s >= 290 ? last + loss / 10 : last;
            optimizer.step(params, grads);
        }
        assertTrue(last < first / 5, "mean loss of first 10 steps " + first + ", of last 10 " + last);
    }

    @Test
    void tinyConvAutoencoderDenoises() {
        Model model = Model.of(smallAutoencoder());
        float[] params = model.initialParameters(5);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(16, params, grads, KernelProvider.kernels());
        Optimizer optimizer = OptimizerConfig.defaults().withType("adam").withLearningRate(0.01).create(params.length);
        SplittableRandom random = new SplittableRandom(3);
        float first = 0;
        float last = 0;
        for (int s = 0; s < 600; s++) {
            fillImages(step.features(), step.labels(), random);
            float loss = step.run();
            first = s < 10 ? first + loss / 10 : first;
            last = s >= 590 ? last + loss / 10 : last;
            optimizer.step(params, grads);
        }
        assertTrue(last < first / 4, "mean loss of first 10 steps " + first + ", of last 10 " + last);
    }

    @Tag("allocation")
    @Test
    void cnnTrainingStepAllocatesNothingInSteadyState() {
        Model model = Model.of(new ModelSpec(List.of(1, 8, 8), List.of(Conv2dConfig.of(4, 3).withPadding(1),
                BatchNormConfig.defaults(), new ReluConfig(), PoolConfig.maxPool(2), new DropoutConfig(0.2, 1),
                ReshapeConfig.flatten(), new LinearConfig(3)), ModelSpec.SOFTMAX_CROSS_ENTROPY));
        float[] params = model.initialParameters(1);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(8, params, grads, KernelProvider.kernels());
        fillImages(step.features(), step.labels(), new SplittableRandom(4));
        Optimizer optimizer = OptimizerConfig.defaults().create(model.parameterCount());
        long perStep = StepAllocation.bytesPerStep(step, optimizer, params, grads, 20000, 1000);
        assertTrue(perStep < 16, "allocated " + perStep + " bytes per step");
    }
}
