package dev.lamina.driver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch's progress.
 *
 * @param epoch            1-based epoch number
 * @param epochs           the total
 * @param trainLoss        mean training batch loss
 * @param testAccuracy     accuracy on the evaluation data
 * @param testLoss         mean loss on the evaluation data
 * @param samples          training samples this epoch (all workers)
 * @param trainSeconds     wall time of the training stage
 * @param evalSeconds      wall time of the evaluation stage
 * @param computeSeconds   forward/backward time summed over workers
 * @param commSeconds      parameter-server time summed over workers (includes waiting)
 * @param pushBytesPerStep bytes each worker sent to the parameter server per step (frames included)
 */
public record EpochReport(int epoch, int epochs, double trainLoss, double testAccuracy, double testLoss, long samples,
                          double trainSeconds, double evalSeconds, double computeSeconds, double commSeconds,
                          double pushBytesPerStep) {

    public double samplesPerSecond() {
        return samples / trainSeconds;
    }

    /** The one progress line printed per epoch. */
    public String line() {
        if (!Double.isFinite(testAccuracy)) {
            return String.format("epoch %d/%d  train_loss %.5f  test_loss %.5f  samples/s %,.0f  time %.1fs"
                            + " (train %.1fs: compute %.1fs, comm %.1fs per worker-sum; eval %.1fs)  push %,.0f B/step",
                    epoch, epochs, trainLoss, testLoss, samplesPerSecond(), trainSeconds + evalSeconds, trainSeconds,
                    computeSeconds, commSeconds, evalSeconds, pushBytesPerStep);
        }
        return String.format("epoch %d/%d  train_loss %.4f  test_accuracy %.4f  test_loss %.4f  samples/s %,.0f  time %.1fs"
                        + " (train %.1fs: compute %.1fs, comm %.1fs per worker-sum; eval %.1fs)  push %,.0f B/step",
                epoch, epochs, trainLoss, testAccuracy, testLoss, samplesPerSecond(), trainSeconds + evalSeconds,
                trainSeconds, computeSeconds, commSeconds, evalSeconds, pushBytesPerStep);
    }

    /** The inverse of {@link #toMap()}; {@code epochs} is the run's total, which the map leaves out. */
    public static EpochReport fromMap(Map<String, Object> m, int epochs) {
        return new EpochReport(number(m, "epoch").intValue(), epochs, number(m, "train_loss").doubleValue(),
                m.get("test_accuracy") == null ? Double.NaN : number(m, "test_accuracy").doubleValue(),
                number(m, "test_loss").doubleValue(),
                number(m, "samples").longValue(), number(m, "train_seconds").doubleValue(),
                number(m, "eval_seconds").doubleValue(), number(m, "compute_seconds").doubleValue(),
                number(m, "comm_seconds").doubleValue(), number(m, "push_bytes_per_step").doubleValue());
    }

    private static Number number(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("epoch report " + key + " : " + m.get(key) + " (expected: a number)");
        }
        return n;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("train_loss", trainLoss);
        m.put("test_accuracy", Double.isFinite(testAccuracy) ? testAccuracy : null);
        m.put("test_loss", testLoss);
        m.put("samples", samples);
        m.put("samples_per_second", samplesPerSecond());
        m.put("train_seconds", trainSeconds);
        m.put("eval_seconds", evalSeconds);
        m.put("compute_seconds", computeSeconds);
        m.put("comm_seconds", commSeconds);
        m.put("push_bytes_per_step", pushBytesPerStep);
        return m;
    }
}
