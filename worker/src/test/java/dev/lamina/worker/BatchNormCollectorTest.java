package dev.lamina.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.BatchNormStatistics;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.nn.ParameterView;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchNormCollectorTest {
    private static final ModelSpec SPEC = ModelSpec.fromMap(Map.of("input", List.of(1, 4, 4), "layers", List.of(
            Map.of("type", "conv2d", "filters", 3, "kernel", 3, "padding", 1), Map.of("type", "batchnorm"),
            Map.of("type", "relu"), Map.of("type", "flatten"), Map.of("type", "linear", "units", 2))));

    private static FeatureBlock block(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 + r.nextGaussian());
        }
        return new FeatureBlock(rows, 16, x, new float[rows]);
    }

    @Test
    void partitionSumsMergeToTheWholeDataStatistics() {
        Model model = Model.of(SPEC);
        float[] params = model.initialParameters(1);
        FeatureBlock all = block(32, 5);
        FeatureBlock first = new FeatureBlock(16, 16, Arrays.copyOfRange(all.features(), 0, 256), new float[16]);
        FeatureBlock second = new FeatureBlock(16, 16, Arrays.copyOfRange(all.features(), 256, 512), new float[16]);
        BatchNormStatistics.Sums whole = BatchNormCollector.collect(SPEC, params, all, 8, 50);
        BatchNormStatistics.Sums merged = BatchNormCollector.collect(SPEC, params, first, 8, 50)
                .merge(BatchNormCollector.collect(SPEC, params, second, 8, 50));
        assertEquals(4, whole.batches());
        assertEquals(4, merged.batches());
        float[] a = params.clone();
        float[] b = params.clone();
        BatchNormStatistics writer = model.batchNormStatistics(1, a, KernelProvider.kernels());
        writer.writeTo(a, whole);
        writer.writeTo(b, merged);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-6f, "parameter " + i);
        }
        ParameterView mean = model.parameters().stream().filter(p -> p.name().endsWith("running_mean")).findFirst()
                .orElseThrow();
        assertNotEquals(0f, a[mean.offset()], "running mean was written");
    }

    @Test
    void onlyBatchNormModelsNeedIt() {
        assertTrue(BatchNormCollector.needed(SPEC));
        assertFalse(BatchNormCollector.needed(ModelSpec.mlp(4, 3)));
    }
}
