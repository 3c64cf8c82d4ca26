package dev.lamina.driver;

import dev.lamina.engine.io.Json;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointStore;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.worker.TlsConfig;
import dev.lamina.worker.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * The driver's side of parameter-server checkpoints ({@code training.checkpointDir},
 * {@code training.checkpointEvery}): opening the store and the provenance a checkpoint records.
 */
final class Checkpointing {
    private static final System.Logger LOG = System.getLogger(Checkpointing.class.getName());
    /** Longest provenance value kept (the codec allows 1 MiB; a job file is far smaller). */
    private static final int MAX_VALUE_CHARS = 64 << 10;
    static final String TRAINING_CONFIG = "trainingConfig";
    static final String MODEL = "model";
    static final String DATA = "dataFingerprint";
    static final String HISTORY = "history";
    /** Provenance a resumed run must share with its checkpoint. */
    static final List<String> MUST_MATCH = List.of(TRAINING_CONFIG, MODEL, DATA);

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

    /**
     * Configuration, model, code version, JVM and OS/arch, plus the run's provenance, as strings.
     * {@code --resume} compares {@link #MUST_MATCH} of these with the checkpoint's.
     */
    static Map<String, String> provenance(TrainingConfig config, ModelSpec spec, Map<String, Object> run) {
        Map<String, String> p = new LinkedHashMap<>();
        run.forEach((k, v) -> p.put(k, clip(canonical(v))));
        // Where and how often checkpoints go does not change the training: a run may resume from a
        // moved directory (or one spelled with a trailing slash) and checkpoint at another rate; nor does
        // whether the parameter-server connections are encrypted.
        p.put(TRAINING_CONFIG, clip(config.withCheckpoints("", 0).withTls(TlsConfig.off()).toString()));
        p.put(MODEL, clip(spec.toJson()));
        String version = Checkpointing.class.getPackage().getImplementationVersion();
        p.put("codeVersion", version == null ? "unknown (not from a jar)" : version);
        p.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return p;
    }

    /**
     * The checkpoint to resume from: the newest valid one in the store, written by a run with the same
     * training configuration, model and data as this one.
     *
     * @throws IllegalArgumentException when checkpoints are off, none is there, or it does not match
     */
    static Checkpoint resumePoint(Optional<CheckpointStore> store, Map<String, String> now, int parameterCount) {
        if (store.isEmpty()) {
            throw new IllegalArgumentException("--resume needs training.checkpointDir (expected: the directory the"
                    + " interrupted run wrote its checkpoints to)");
        }
        Optional<Checkpoint> latest;
        try {
            latest = store.get().latest();
        } catch (IOException e) {
            throw new UncheckedIOException("--resume: cannot list the checkpoints in " + store.get().directory()
                    + ": " + e.getMessage(), e);
        }
        if (latest.isEmpty()) {
            throw new IllegalArgumentException("--resume: no valid checkpoint in " + store.get().directory()
                    + " (expected: one written by the interrupted run; run without --resume to start afresh)");
        }
        Checkpoint c = latest.get();
        Map<String, String> then = c.job().provenance();
        for (String key : MUST_MATCH) {
            String was = then.get(key);
            String is = now.get(key);
            if (!Objects.equals(was, is)) {
                throw new IllegalArgumentException("--resume: the checkpoint of step " + c.step() + " in "
                        + store.get().directory() + " was written with another " + key + " (" + difference(was, is)
                        + "); resume with the job's original configuration, or use a new training.checkpointDir");
            }
        }
        if (c.parameters().length != parameterCount) {
            throw new IllegalArgumentException("--resume: the checkpoint holds " + c.parameters().length
                    + " parameters (expected: " + parameterCount + ", the model's count)");
        }
        LOG.log(Level.INFO, "resuming from the checkpoint of step {0} in {1}: {2} epochs complete", c.step(),
                store.get().directory(), c.job().completedEpochs());
        return c;
    }

    /** The epoch reports a checkpoint carries (see {@link #withHistory}); empty when it has none. */
    static List<EpochReport> history(JobState job, int epochs) {
        String lines = job.provenance().get(HISTORY);
        List<EpochReport> history = new ArrayList<>();
        if (lines == null) {
            return history;
        }
        for (String line : lines.split("\n")) {
            if (!line.isBlank()) {
                history.add(EpochReport.fromMap(asMap(Json.parse(line)), epochs));
            }
        }
        return history;
    }

    /**
     * {@code provenance} plus the epoch reports so far as JSON lines, so that a resumed run's history,
     * metrics and report cover every epoch. Beyond {@link #MAX_VALUE_CHARS}, the oldest are dropped.
     */
    static Map<String, String> withHistory(Map<String, String> provenance, List<EpochReport> history) {
        Map<String, String> p = new LinkedHashMap<>(provenance);
        StringBuilder sb = new StringBuilder();
        for (int i = history.size() - 1; i >= 0; i--) {
            String line = Json.write(history.get(i).toMap()) + "\n";
            if (sb.length() + line.length() > MAX_VALUE_CHARS) {
                break;
            }
            sb.insert(0, line);
        }
        p.put(HISTORY, sb.toString());
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object json) {
        if (!(json instanceof Map)) {
            throw new IllegalArgumentException("checkpoint history line : " + json + " (expected: a JSON object)");
        }
        return (Map<String, Object>) json;
    }

    /** Where two provenance values first differ, with a little context from each. */
    private static String difference(String was, String is) {
        if (was == null || is == null) {
            return "checkpoint: " + (was == null ? "none recorded" : "recorded") + ", now: "
                    + (is == null ? "none" : "given");
        }
        int i = 0;
        while (i < was.length() && i < is.length() && was.charAt(i) == is.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 30);
        return "first difference at character " + i + ": checkpoint '..." + was.substring(from, Math.min(was.length(), i + 30))
                + "...', now '..." + is.substring(from, Math.min(is.length(), i + 30)) + "...'";
    }

    /** A value as text that does not depend on a map's iteration order (Map.of's differs per JVM). */
    private static String canonical(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, String> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), canonical(v)));
            return sorted.toString();
        }
        return String.valueOf(value);
    }

    private static String clip(String value) {
        return value.length() <= MAX_VALUE_CHARS ? value : value.substring(0, MAX_VALUE_CHARS) + "...";
    }
}
