package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class ModelTest {

    /** Three Gaussian blobs in 8 dimensions: an easy but real classification problem. */
    private static void fillBatch(TrainingStep step, SplittableRandom random) {
        Tensor x = step.features();
        Tensor y = step.labels();
        int d = x.size() / y.size();
        for (int r = 0; r < y.size(); r++) {
            int label = random.nextInt(3);
            y.data()[y.offset() + r] = label;
            for (int c = 0; c < d; c++) {
                double center = c % 3 == label ? 2.0 : 0.0;
                x.data()[x.offset() + r * d + c] = (float) (center + random.nextGaussian());
            }
        }
    }

    private static float train(OptimizerConfig config, int steps, float[] firstLoss) {
        Model model = Model.of(ModelSpec.mlp(8, 16, 3));
        float[] params = model.initialParameters(7);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(32, params, grads, KernelProvider.kernels());
        Optimizer optimizer = config.create(model.parameterCount());
        SplittableRandom random = new SplittableRandom(1);
        float loss = 0;
        for (int s = 0; s < steps; s++) {
            fillBatch(step, random);
            loss = step.run();
            if (s == 0) {
                firstLoss[0] = loss;
            }
            optimizer.step(params, grads);
        }
        return loss;
    }

    @Test
    void sgdMomentumReducesLossFourfold() {
        float[] first = new float[1];
        float last = train(OptimizerConfig.defaults(), 200, first);
        assertTrue(last < first[0] / 4, "loss " + first[0] + " -> " + last);
    }

    @Test
    void adamReducesLossFourfold() {
        float[] first = new float[1];
        float last = train(OptimizerConfig.defaults().withType("adam").withLearningRate(0.01), 200, first);
        assertTrue(last < first[0] / 4, "loss " + first[0] + " -> " + last);
    }

    @Test
    void layoutIsFlatAndNamed() {
        Model model = Model.of(ModelSpec.mlp(784, 256, 128, 10));
        assertEquals(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, model.parameterCount());
        List<ParameterView> ps = model.parameters();
        assertEquals("layers.0.weight", ps.get(0).name());
        assertEquals("layers.4.bias", ps.get(5).name());
        assertEquals(784 * 256, ps.get(1).offset());
        assertEquals("layers.2.weight", model.parameterAt(784 * 256 + 256).name());
    }

    @Test
    void wrongBufferLengthIsRefusedWithBothLengths() {
        Model model = Model.of(ModelSpec.mlp(4, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.trainingStep(2, new float[5], new float[15], KernelProvider.kernels()));
        assertTrue(e.getMessage().contains("5") && e.getMessage().contains("15"), e.getMessage());
    }

    @Test
    void forwardStepMatchesTrainingStepLoss() {
        Model model = Model.of(ModelSpec.mlp(8, 16, 3));
        float[] params = model.initialParameters(3);
        TrainingStep train = model.trainingStep(32, params, new float[model.parameterCount()], KernelProvider.kernels());
        ForwardStep forward = model.forwardStep(32, params, KernelProvider.kernels());
        fillBatch(train, new SplittableRandom(5));
        System.arraycopy(train.features().data(), 0, forward.features().data(), 0, train.features().size());
        System.arraycopy(train.labels().data(), 0, forward.labels().data(), 0, train.labels().size());
        assertEquals(train.run(), forward.run());
        assertEquals(train.correct(), forward.correct());
    }

    @Tag("allocation")
    @Test
    void trainingStepAllocatesNothingInSteadyState() {
        Model model = Model.of(ModelSpec.mlp(64, 32, 10));
        float[] params = model.initialParameters(1);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(16, params, grads, KernelProvider.kernels());
        Optimizer optimizer = OptimizerConfig.defaults().create(model.parameterCount());
        long perStep = StepAllocation.bytesPerStep(step, optimizer, params, grads, 20000, 1000);
        assertTrue(perStep < 16, "allocated " + perStep + " bytes per step");
    }
}
