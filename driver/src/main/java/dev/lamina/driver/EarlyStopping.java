package dev.lamina.driver;

import dev.lamina.worker.EvalStats;
import java.io.Serializable;
import java.util.Locale;

/**
 * Stops training when the evaluation metric has not improved for {@code patience} epochs and keeps
 * the parameters of the best epoch, which become the trained model.
 */
public final class EarlyStopping {

    /**
     * @param metric   {@code loss} (lower is better) or {@code accuracy} (higher is better), on the
     *                 evaluation data of each epoch
     * @param patience epochs without improvement before stopping; 0 turns early stopping off
     * @param minDelta the smallest change that counts as an improvement, >= 0
     */
    public record Config(String metric, int patience, double minDelta) implements Serializable {

        public Config {
            metric = metric == null ? "" : metric.toLowerCase(Locale.ROOT);
            if (!metric.equals("loss") && !metric.equals("accuracy")) {
                throw new IllegalArgumentException("training.earlyStopping.metric : " + metric
                        + " (expected: loss or accuracy)");
            }
            if (patience < 0) {
                throw new IllegalArgumentException("training.earlyStopping.patience : " + patience
                        + " (expected: >= 0, 0 = off)");
            }
            if (!(minDelta >= 0) || !Double.isFinite(minDelta)) {
                throw new IllegalArgumentException("training.earlyStopping.minDelta : " + minDelta + " (expected: >= 0)");
            }
        }

        /** Off. */
        public static Config off() {
            return new Config("loss", 0, 0);
        }

        public boolean enabled() {
            return patience > 0;
        }
    }

    private final Config config;
    private double best = Double.NaN;
    private int bestEpoch;
    private float[] bestParameters;
    private int sinceBest;

    public EarlyStopping(Config config) {
        this.config = config;
    }

    /** Records epoch {@code epoch}'s evaluation of {@code parameters} (not copied unless it is the best). */
    public void observe(int epoch, EvalStats eval, float[] parameters) {
        double value = config.metric().equals("loss") ? eval.meanLoss() : eval.accuracy();
        boolean better = Double.isNaN(best) || (config.metric().equals("loss")
                ? value < best - config.minDelta() : value > best + config.minDelta());
        if (better && !Double.isNaN(value)) {
            best = value;
            bestEpoch = epoch;
            bestParameters = parameters.clone();
            sinceBest = 0;
        } else {
            sinceBest++;
        }
    }

    /** True when early stopping is on and the metric has not improved for {@code patience} epochs. */
    public boolean shouldStop() {
        return config.enabled() && sinceBest >= config.patience();
    }

    /** The epoch (1-based) with the best metric so far; 0 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The parameters to keep: the best epoch's when early stopping is on, else {@code last}. */
    public float[] result(float[] last) {
        return config.enabled() && bestParameters != null ? bestParameters : last;
    }
}
