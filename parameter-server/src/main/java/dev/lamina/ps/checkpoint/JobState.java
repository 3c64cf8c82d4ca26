package dev.lamina.ps.checkpoint;

import java.util.Map;
import java.util.Objects;

/**
 * What the driver adds to a server snapshot so a job can resume: its seed, how many epochs were
 * complete when the snapshot was taken, any RNG state it keeps beyond the seed, and provenance
 * (configuration, code version, JVM, OS/arch).
 *
 * @param seed            the job's seed
 * @param completedEpochs epochs fully trained at the snapshot, >= 0 (a snapshot taken during epoch e
 *                        has e; the workers' records tell how far into e it got)
 * @param rngState        opaque RNG state from the driver (copied; empty when everything derives from
 *                        the seed and epoch)
 * @param provenance      string keys and values, copied
 */
public record JobState(long seed, int completedEpochs, byte[] rngState, Map<String, String> provenance) {

    /** No job information (a bare server snapshot). */
    public static final JobState NONE = new JobState(0, 0, new byte[0], Map.of());

    public JobState {
        if (completedEpochs < 0) {
            throw new IllegalArgumentException("completedEpochs : " + completedEpochs + " (expected: >= 0)");
        }
        rngState = Objects.requireNonNull(rngState, "rngState").clone();
        provenance = Map.copyOf(Objects.requireNonNull(provenance, "provenance"));
    }

    @Override
    public byte[] rngState() {
        return rngState.clone();
    }
}
