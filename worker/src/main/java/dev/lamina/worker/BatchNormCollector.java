package dev.lamina.worker;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.BatchNormStatistics;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.tensor.Tensor;

/**
 * One partition's share of precise batch normalization: training-mode forward passes over up to
 * {@code maxBatches} consecutive batches of the block, returning the sums the driver merges and
 * writes into the running statistics before evaluating.
 */
public final class BatchNormCollector {

    private BatchNormCollector() {
    }

    /** True when the spec has batch-norm layers whose running statistics need collecting. */
    public static boolean needed(ModelSpec spec) {
        return spec.layers().stream().anyMatch(l -> l.type().equals("batchnorm"));
    }

    public static BatchNormStatistics.Sums collect(ModelSpec spec, float[] params, FeatureBlock block, int batch,
                                                   int maxBatches) {
        Model model = Model.of(spec);
        BatchNormStatistics stats = model.batchNormStatistics(batch, params, KernelProvider.kernels());
        Tensor features = stats.features();
        int width = block.width();
        for (int b = 0; b < maxBatches && (b + 1) * batch <= block.rows(); b++) {
            System.arraycopy(block.features(), b * batch * width, features.data(), features.offset(), batch * width);
            stats.accumulate();
        }
        return stats.sums();
    }
}
