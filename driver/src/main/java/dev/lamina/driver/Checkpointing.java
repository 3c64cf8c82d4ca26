package dev.lamina.driver;

import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointStore;
import dev.lamina.worker.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * The driver's side of parameter-server checkpoints ({@code training.checkpointDir},
 * {@code training.checkpointEvery}): opening the store and the provenance a checkpoint records.
 */
final class Checkpointing {
    private static final System.Logger LOG = System.getLogger(Checkpointing.class.getName());
    /** Longest provenance value kept (the codec allows 1 MiB; a job file is far smaller). */
    private static final int MAX_VALUE_CHARS = 64 << 10;

    private Checkpointing() {
    }

    /** The store for {@code training.checkpointDir}, or empty when checkpoints are off. */
    static Optional<CheckpointStore> open(TrainingConfig config, Configuration hadoop) {
        if (!config.checkpointing()) {
            return Optional.empty();
        }
        try {
            CheckpointStore store = CheckpointStore.open(config.checkpointDir(), hadoop);
            LOG.log(Level.INFO, "checkpoints to {0} at each epoch end{1}", store.directory(),
                    config.checkpointEvery() > 0 ? " and every " + config.checkpointEvery() + " steps" : "");
            return Optional.of(store);
        } catch (IOException e) {
            throw new UncheckedIOException("training.checkpointDir : " + config.checkpointDir()
                    + " (expected: a writable Hadoop file system directory): " + e.getMessage(), e);
        }
    }

    /** Writes an epoch-end checkpoint; a failure fails the job (the user asked for checkpoints). */
    static void write(CheckpointStore store, Checkpoint checkpoint) {
        long t0 = System.nanoTime();
        try {
            store.write(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of step " + checkpoint.step() + " to "
                    + store.directory() + ": " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "checkpoint of step {0} (epoch {1}) written to {2} in {3} ms", checkpoint.step(),
                checkpoint.job().completedEpochs(), store.directory(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Configuration, code version, JVM and OS/arch, plus the run's provenance, as strings. */
    static Map<String, String> provenance(TrainingConfig config, Map<String, Object> run) {
        Map<String, String> p = new LinkedHashMap<>();
        run.forEach((k, v) -> p.put(k, clip(String.valueOf(v))));
        p.put("trainingConfig", clip(config.toString()));
        String version = Checkpointing.class.getPackage().getImplementationVersion();
        p.put("codeVersion", version == null ? "unknown (not from a jar)" : version);
        p.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return p;
    }

    private static String clip(String value) {
        return value.length() <= MAX_VALUE_CHARS ? value : value.substring(0, MAX_VALUE_CHARS) + "...";
    }
}
