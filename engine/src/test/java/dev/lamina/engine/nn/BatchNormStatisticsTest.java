package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Precise batch norm statistics, and central differences through whole convolutional layers. */
class BatchNormStatisticsTest {

    @Test
    void runningStatisticsAreMeansOfBatchStatistics() {
        Model model = Model.of(new ModelSpec(List.of(2, 3, 3), List.of(BatchNormConfig.defaults()), "mse"));
        float[] params = model.initialParameters(1);
        assertEquals(List.of(1f, 1f, 0f, 0f, 0f, 0f, 1f, 1f), toList(params));
        BatchNormStatistics stats = model.batchNormStatistics(4, params, KernelProvider.kernels());
        assertThrows(IllegalStateException.class, () -> stats.writeTo(params));
        SplittableRandom random = new SplittableRandom(9);
        double[][] sum = new double[2][2];
        for (int batch = 0; batch < 3; batch++) {
            Tensor x = stats.features();
            for (int i = 0; i < x.size(); i++) {
                x.data()[x.offset() + i] = (float) (random.nextGaussian() * (1 + i % 18 / 9) + batch);
            }
            for (int c = 0; c < 2; c++) {
                double mean = 0;
                double sq = 0;
                for (int b = 0; b < 4; b++) {
                    for (int j = 0; j < 9; j++) {
                        mean += x.get(b * 18 + c * 9 + j) / 36.0;
                    }
                }
                for (int b = 0; b < 4; b++) {
                    for (int j = 0; j < 9; j++) {
                        sq += Math.pow(x.get(b * 18 + c * 9 + j) - mean, 2);
                    }
                }
                sum[c][0] += mean / 3;
                sum[c][1] += sq / 35 / 3;
            }
            stats.accumulate();
        }
        stats.writeTo(params);
        ParameterView mean = model.parameters().get(2);
        ParameterView var = model.parameters().get(3);
        assertEquals("layers.0.running_mean", mean.name());
        for (int c = 0; c < 2; c++) {
            assertEquals(sum[c][0], params[mean.offset() + c], 1e-5);
            assertEquals(sum[c][1], params[var.offset() + c], 1e-4);
        }
    }

    /** d loss / d parameter of a conv-batchnorm-avgpool-flatten-linear model by central differences. */
    @Test
    void layerGradientsMatchCentralDifference() {
        Model model = Model.of(new ModelSpec(List.of(1, 4, 4), List.of(new Conv2dConfig(2, 3, 1, 1, 1, 1, true),
                BatchNormConfig.defaults(), PoolConfig.avgPool(2), ReshapeConfig.flatten(), new LinearConfig(3)),
                ModelSpec.SOFTMAX_CROSS_ENTROPY));
        float[] params = model.initialParameters(3);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(4, params, grads, KernelProvider.kernels());
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < step.features().size(); i++) {
            step.features().data()[step.features().offset() + i] = (float) random.nextGaussian();
        }
        for (int b = 0; b < 4; b++) {
            step.labels().data()[step.labels().offset() + b] = b % 3;
        }
        StepGradients.check(model, step, params, grads, i -> true);
    }

    private static List<Float> toList(float[] a) {
        List<Float> l = new java.util.ArrayList<>();
        for (float v : a) {
            l.add(v);
        }
        return l;
    }
}
