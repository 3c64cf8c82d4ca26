package dev.lamina.driver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param waitSeconds      the part of {@code commSeconds} the workers' pushes waited at the server for
 *                         slower workers, summed over workers (NaN when not measured)
 * @param applySeconds     server time applying this epoch's updates (NaN when not measured)
 * @param taskSeconds      wall time of the slowest worker's epoch inside its task, from connecting to the
 *                         server to its last reply; {@code trainSeconds - taskSeconds} is the stage's
 *                         launch and collection overhead (NaN when not measured)
 * @param elapsedSeconds   wall time from the start of this run's first epoch to the end of this epoch's
 *                         evaluation (NaN when not measured)
 * @param workers          each worker's own split of the epoch, by worker id (empty when not known)
 */
public record EpochReport(int epoch, int epochs, double trainLoss, double testAccuracy, double testLoss, long samples,
                          double trainSeconds, double evalSeconds, double computeSeconds, double commSeconds,
                          double pushBytesPerStep, double waitSeconds, double applySeconds, double taskSeconds,
                          double elapsedSeconds, List<WorkerTimes> workers) {

    /**
     * One worker's time in an epoch.
     *
     * @param worker         the worker (its partition)
     * @param computeSeconds forward/backward (and local optimizer) time
     * @param commSeconds    parameter-server time, waiting included
     * @param waitSeconds    the part of {@code commSeconds} its pushes waited for the other workers (NaN when not measured)
     */
    public record WorkerTimes(int worker, double computeSeconds, double commSeconds, double waitSeconds) {

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("worker", worker);
            m.put("compute_seconds", computeSeconds);
            m.put("comm_seconds", commSeconds);
            putIfMeasured(m, "wait_seconds", waitSeconds);
            return m;
        }

        static WorkerTimes fromMap(Map<String, Object> m) {
            return new WorkerTimes(number(m, "worker").intValue(), number(m, "compute_seconds").doubleValue(),
                    number(m, "comm_seconds").doubleValue(), optional(m, "wait_seconds"));
        }
    }

    public EpochReport {
        workers = List.copyOf(workers);
    }

    /** Without the per-worker split. */
    public EpochReport(int epoch, int epochs, double trainLoss, double testAccuracy, double testLoss, long samples,
                       double trainSeconds, double evalSeconds, double computeSeconds, double commSeconds,
                       double pushBytesPerStep, double waitSeconds, double applySeconds, double taskSeconds,
                       double elapsedSeconds) {
        this(epoch, epochs, trainLoss, testAccuracy, testLoss, samples, trainSeconds, evalSeconds, computeSeconds,
                commSeconds, pushBytesPerStep, waitSeconds, applySeconds, taskSeconds, elapsedSeconds, List.of());
    }

    /** Without the timing split (wait, apply, task and elapsed times not measured). */
    public EpochReport(int epoch, int epochs, double trainLoss, double testAccuracy, double testLoss, long samples,
                       double trainSeconds, double evalSeconds, double computeSeconds, double commSeconds,
                       double pushBytesPerStep) {
        this(epoch, epochs, trainLoss, testAccuracy, testLoss, samples, trainSeconds, evalSeconds, computeSeconds,
                commSeconds, pushBytesPerStep, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    public double samplesPerSecond() {
        return samples / trainSeconds;
    }

    /** The one progress line printed per epoch. */
    public String line() {
        if (!Double.isFinite(testAccuracy)) {
            return String.format("epoch %d/%d  train_loss %.5f  test_loss %.5f  samples/s %,.0f  time %.1fs"
                            + " (train %.1fs: compute %.1fs, comm %.1fs%s per worker-sum; eval %.1fs)  %s",
                    epoch, epochs, trainLoss, testLoss, samplesPerSecond(), trainSeconds + evalSeconds, trainSeconds,
                    computeSeconds, commSeconds, waitNote(), evalSeconds, pushNote());
        }
        return String.format("epoch %d/%d  train_loss %.4f  test_accuracy %.4f  test_loss %.4f  samples/s %,.0f  time %.1fs"
                        + " (train %.1fs: compute %.1fs, comm %.1fs%s per worker-sum; eval %.1fs)  %s",
                epoch, epochs, trainLoss, testAccuracy, testLoss, samplesPerSecond(), trainSeconds + evalSeconds,
                trainSeconds, computeSeconds, commSeconds, waitNote(), evalSeconds, pushNote());
    }

    /** The bytes a worker pushed per step, or that the workers exchanged through memory (none on a socket). */
    private String pushNote() {
        return pushBytesPerStep == 0 ? "exchange in memory (same JVM)" : String.format("push %,.0f B/step", pushBytesPerStep);
    }

    /** " of which wait 1.2s" when the wait was measured, else nothing. */
    private String waitNote() {
        return Double.isFinite(waitSeconds) ? String.format(" of which wait %.1fs", waitSeconds) : "";
    }

    /** The inverse of {@link #toMap()}; {@code epochs} is the run's total, which the map leaves out. */
    public static EpochReport fromMap(Map<String, Object> m, int epochs) {
        return new EpochReport(number(m, "epoch").intValue(), epochs, number(m, "train_loss").doubleValue(),
                m.get("test_accuracy") == null ? Double.NaN : number(m, "test_accuracy").doubleValue(),
                number(m, "test_loss").doubleValue(),
                number(m, "samples").longValue(), number(m, "train_seconds").doubleValue(),
                number(m, "eval_seconds").doubleValue(), number(m, "compute_seconds").doubleValue(),
                number(m, "comm_seconds").doubleValue(), number(m, "push_bytes_per_step").doubleValue(),
                optional(m, "wait_seconds"), optional(m, "apply_seconds"), optional(m, "task_seconds"),
                optional(m, "elapsed_seconds"), workers(m.get("workers")));
    }

    @SuppressWarnings("unchecked")
    private static List<WorkerTimes> workers(Object raw) {
        List<WorkerTimes> out = new ArrayList<>();
        if (raw instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException("epoch report workers : " + o + " (expected: an object per worker)");
                }
                out.add(WorkerTimes.fromMap((Map<String, Object>) m));
            }
        }
        return out;
    }

    /** A number the reports of older runs lack: NaN when absent. */
    private static double optional(Map<String, Object> m, String key) {
        return m.get(key) == null ? Double.NaN : number(m, key).doubleValue();
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
        putIfMeasured(m, "wait_seconds", waitSeconds);
        putIfMeasured(m, "apply_seconds", applySeconds);
        putIfMeasured(m, "task_seconds", taskSeconds);
        putIfMeasured(m, "elapsed_seconds", elapsedSeconds);
        if (!workers.isEmpty()) {
            m.put("workers", workers.stream().map(WorkerTimes::toMap).toList());
        }
        return m;
    }

    private static void putIfMeasured(Map<String, Object> m, String key, double value) {
        if (Double.isFinite(value)) {
            m.put(key, value);
        }
    }
}
