package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.BatchNormOps;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.Plan;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;

/**
 * Precise batch normalization: population statistics for every {@link BatchNorm} layer, collected
 * from training-mode forward passes and written into the running_mean / running_var entries of a
 * flat parameter buffer. Write a batch into {@link #features()}, call {@link #accumulate()}, repeat,
 * then {@link #writeTo(float[])}. Each layer gets the mean over batches of its batch means and of its
 * unbiased batch variances (N / (N - 1) times the biased one, as PyTorch's running_var).
 */
public final class BatchNormStatistics {
    private final Plan plan;
    private final Tensor features;
    private final List<Node> nodes;
    private final List<ParameterView> means;
    private final List<ParameterView> vars;
    private final double[][] meanSums;
    private final double[][] varSums;
    private int batches;

    BatchNormStatistics(Plan plan, Node features, List<Node> nodes, List<ParameterView> means,
                        List<ParameterView> vars) {
        this.plan = plan;
        this.features = plan.tensor(features);
        this.nodes = List.copyOf(nodes);
        this.means = List.copyOf(means);
        this.vars = List.copyOf(vars);
        this.meanSums = new double[nodes.size()][];
        this.varSums = new double[nodes.size()][];
        for (int i = 0; i < nodes.size(); i++) {
            meanSums[i] = new double[means.get(i).size()];
            varSums[i] = new double[means.get(i).size()];
        }
    }

    /** The input buffer [B, ...]; write a batch here before {@link #accumulate()}. */
    public Tensor features() {
        return features;
    }

    /** Runs the forward pass on the current batch and adds its statistics. */
    public void accumulate() {
        plan.run();
        for (int i = 0; i < nodes.size(); i++) {
            Node bn = nodes.get(i);
            int c = bn.shape().dim(1);
            long n = bn.shape().size() / c;
            double factor = n > 1 ? n / (n - 1.0) : 1.0;
            float[] stats = plan.scratch(bn);
            for (int ch = 0; ch < c; ch++) {
                meanSums[i][ch] += stats[BatchNormOps.MEAN_ROW * c + ch];
                varSums[i][ch] += stats[BatchNormOps.VAR_ROW * c + ch] * factor;
            }
        }
        batches++;
    }

    /** Writes the averaged statistics into {@code params}' running_mean and running_var entries. */
    public void writeTo(float[] params) {
        if (batches == 0) {
            throw new IllegalStateException("no batch accumulated (expected: accumulate() at least once)");
        }
        for (int i = 0; i < nodes.size(); i++) {
            ParameterView m = means.get(i);
            ParameterView v = vars.get(i);
            for (int ch = 0; ch < m.size(); ch++) {
                params[m.offset() + ch] = (float) (meanSums[i][ch] / batches);
                params[v.offset() + ch] = (float) (varSums[i][ch] / batches);
            }
        }
    }

    /** How many batches have been accumulated. */
    public int batches() {
        return batches;
    }
}
