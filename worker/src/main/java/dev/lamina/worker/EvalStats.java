package dev.lamina.worker;

import java.io.Serializable;

/**
 * Classification metrics as a mergeable aggregate (add per batch, merge per partition).
 *
 * @param count   samples seen
 * @param correct samples whose most probable class is the label
 * @param lossSum sum of per-sample negative log-likelihoods
 */
public record EvalStats(long count, long correct, double lossSum) implements Serializable {

    public static EvalStats empty() {
        return new EvalStats(0, 0, 0);
    }

    /** Adds one batch of {@code n} samples with {@code meanLoss}. */
    public EvalStats add(int n, int correctInBatch, double meanLoss) {
        return new EvalStats(count + n, correct + correctInBatch, lossSum + meanLoss * n);
    }

    public EvalStats merge(EvalStats o) {
        return new EvalStats(count + o.count, correct + o.correct, lossSum + o.lossSum);
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }
}
