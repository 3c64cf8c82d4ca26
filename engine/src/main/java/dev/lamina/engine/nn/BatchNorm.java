package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.BatchNormOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * Batch normalization of x [B, C, ...] per channel.
 *
 * <p><b>Where the running statistics live.</b> running_mean [C] and running_var [C] are entries of
 * the model's flat parameter buffer (after weight and bias, initialized to 0 and 1), so they are
 * checkpointed, shipped with the weights and saved under PyTorch's names. They are not trained: their
 * gradient is always zero, and the training forward op does not write them, because in data-parallel
 * training the parameter server owns the buffer and would overwrite (or average away) any update made
 * on a worker. A training step therefore stays a pure function of the parameters and the batch.
 *
 * <p>Instead they are set by <i>precise batch normalization</i> (Wu and Johnson, 2021): after training
 * (or before any evaluation), {@link Model#batchNormStatistics} runs training-mode forward passes
 * over some batches and writes running_mean = the mean of the batch means and running_var = the mean
 * of the unbiased batch variances. Until that is done, evaluation uses the initial 0 / 1 (or stale)
 * statistics. Coupled weight decay, if configured, also decays these entries; recomputing them
 * after training makes that harmless.
 */
final class BatchNorm implements Layer {
    private final Shape shape;
    private final float eps;

    BatchNorm(Shape input, float eps) {
        this.shape = input;
        this.eps = eps;
    }

    /** Channels: the first per-sample dimension. */
    int channels() {
        return shape.dim(0);
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public List<ParameterSpec> parameters() {
        Shape c = Shape.of(channels());
        return List.of(new ParameterSpec("weight", c, 0, 1f), new ParameterSpec("bias", c, 0),
                new ParameterSpec("running_mean", c, 0), new ParameterSpec("running_var", c, 0, 1f));
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        return training
                ? BatchNormOps.batchNorm(graph, x, params.get(0), params.get(1), eps)
                : BatchNormOps.batchNormEval(graph, x, params.get(0), params.get(1), params.get(2), params.get(3), eps);
    }
}
