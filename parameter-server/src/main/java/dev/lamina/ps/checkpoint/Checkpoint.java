package dev.lamina.ps.checkpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A consistent snapshot of a parameter server and its job, taken between two updates. The arrays are
 * owned by the record (the server hands over copies); treat them as read-only.
 *
 * @param step            the server's completed updates (sync steps, or pushes in async mode)
 * @param parameters      the flat parameter buffer, non-empty
 * @param optimizerType   the optimizer's type ({@code sgd}, {@code adam}, ...), restored only into the same type
 * @param optimizerSteps  the optimizer's own step count (drives the schedule and bias correction)
 * @param optimizerState  the optimizer's state buffers, each as long as {@code parameters}
 * @param workers         each worker's last applied push, by worker id
 * @param job             the driver's part
 */
public record Checkpoint(long step, float[] parameters, String optimizerType, long optimizerSteps,
                         float[][] optimizerState, List<WorkerRecord> workers, JobState job) {

    /** Format version written by {@link CheckpointCodec}. */
    public static final int FORMAT_VERSION = 1;

    /**
     * One worker's exactly-once record: its last applied push.
     *
     * @param epoch      the epoch of that push, -1 when none was applied yet
     * @param sequence   its sequence number within the epoch
     * @param dataOffset samples of the partition consumed in that epoch after it
     */
    public record WorkerRecord(int epoch, long sequence, long dataOffset) {
    }

    public Checkpoint {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(optimizerType, "optimizerType");
        Objects.requireNonNull(optimizerState, "optimizerState");
        Objects.requireNonNull(job, "job");
        workers = List.copyOf(workers);
        if (step < 0 || optimizerSteps < 0) {
            throw new IllegalArgumentException("step : " + step + ", optimizerSteps : " + optimizerSteps
                    + " (expected: >= 0)");
        }
        if (parameters.length == 0) {
            throw new IllegalArgumentException("parameters : 0 (expected: > 0)");
        }
        for (int i = 0; i < optimizerState.length; i++) {
            if (optimizerState[i] == null || optimizerState[i].length != parameters.length) {
                throw new IllegalArgumentException("optimizerState[" + i + "] length : "
                        + (optimizerState[i] == null ? "null" : optimizerState[i].length)
                        + " (expected: " + parameters.length + ", the parameter count)");
            }
        }
        if (workers.isEmpty()) {
            throw new IllegalArgumentException("workers : 0 (expected: > 0)");
        }
    }

    /** The same snapshot with the driver's part replaced. */
    public Checkpoint withJob(JobState newJob) {
        return new Checkpoint(step, parameters, optimizerType, optimizerSteps, optimizerState, workers, newJob);
    }

    /** Whether {@code other} holds bitwise the same contents (records compare arrays by reference). */
    public boolean sameContents(Checkpoint other) {
        return step == other.step && optimizerSteps == other.optimizerSteps
                && optimizerType.equals(other.optimizerType) && workers.equals(other.workers)
                && Arrays.equals(parameters, other.parameters) && Arrays.deepEquals(optimizerState, other.optimizerState)
                && job.seed() == other.job.seed() && job.completedEpochs() == other.job.completedEpochs()
                && Arrays.equals(job.rngState(), other.job.rngState()) && job.provenance().equals(other.job.provenance());
    }
}
