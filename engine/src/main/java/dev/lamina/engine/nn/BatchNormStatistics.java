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
        writeTo(params, sums());
    }

    /**
     * The accumulated sums, to merge with other partitions' (distributed precise batch norm):
     * per layer, the sums over batches of the batch means and of the unbiased batch variances.
     */
    public record Sums(double[][] means, double[][] vars, int batches) implements java.io.Serializable {

        /** These sums plus {@code o}'s (same layers and channels). */
        public Sums merge(Sums o) {
            if (o.batches == 0) {
                return this;
            }
            if (batches == 0) {
                return o;
            }
            if (o.means.length != means.length) {
                throw new IllegalArgumentException("cannot merge statistics of " + means.length + " and " + o.means.length
                        + " batch-norm layers");
            }
            double[][] m = new double[means.length][];
            double[][] v = new double[vars.length][];
            for (int i = 0; i < means.length; i++) {
                m[i] = means[i].clone();
                v[i] = vars[i].clone();
                for (int c = 0; c < m[i].length; c++) {
                    m[i][c] += o.means[i][c];
                    v[i][c] += o.vars[i][c];
                }
            }
            return new Sums(m, v, batches + o.batches);
        }
    }

    /** A copy of what has been accumulated so far. */
    public Sums sums() {
        double[][] m = new double[meanSums.length][];
        double[][] v = new double[varSums.length][];
        for (int i = 0; i < m.length; i++) {
            m[i] = meanSums[i].clone();
            v[i] = varSums[i].clone();
        }
        return new Sums(m, v, batches);
    }

    /** Writes averaged statistics from {@code sums} (e.g. merged over partitions) into {@code params}. */
    public void writeTo(float[] params, Sums sums) {
        if (sums.batches() == 0) {
            throw new IllegalStateException("no batch accumulated (expected: statistics of at least one batch)");
        }
        for (int i = 0; i < nodes.size(); i++) {
            ParameterView m = means.get(i);
            ParameterView v = vars.get(i);
            for (int ch = 0; ch < m.size(); ch++) {
                params[m.offset() + ch] = (float) (sums.means()[i][ch] / sums.batches());
                params[v.offset() + ch] = (float) (sums.vars()[i][ch] / sums.batches());
            }
        }
    }

    /** True when the model has batch-norm layers (otherwise there is nothing to collect). */
    public boolean any() {
        return !nodes.isEmpty();
    }

    /** How many batches have been accumulated. */
    public int batches() {
        return batches;
    }
}
