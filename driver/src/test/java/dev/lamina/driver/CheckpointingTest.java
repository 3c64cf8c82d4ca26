package dev.lamina.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointStore;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.worker.TrainingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --resume}: which checkpoint is taken, which are refused and why, and the history carried along. */
class CheckpointingTest {

    private static final ModelSpec SPEC = ModelSpec.mlp(4, 3, 2);
    private static final TrainingConfig CONFIG = TrainingConfig.defaults();

    @TempDir
    Path dir;

    private static EpochReport report(int epoch) {
        return new EpochReport(epoch, 5, 1.0 / epoch, 0.5 + epoch / 100.0, 0.9 / epoch, 1000L * epoch, 1.5, 0.25,
                2.0, 0.75, 4096.0 + epoch);
    }

    private static Map<String, String> provenance(TrainingConfig config, ModelSpec spec) {
        return Checkpointing.provenance(config, spec, Map.of("dataFingerprint", "{train=abc, test=def}"));
    }

    private CheckpointStore store() throws Exception {
        return CheckpointStore.open(dir.toUri().toString(), new Configuration());
    }

    private static Checkpoint checkpoint(long step, int params, Map<String, String> provenance, int completed) {
        float[] p = new float[params];
        for (int i = 0; i < params; i++) {
            p[i] = i * 0.25f + step;
        }
        return new Checkpoint(step, p, "sgd", step, new float[0][], List.of(new Checkpoint.WorkerRecord(completed - 1,
                7, 448)), new JobState(1, completed, new byte[0], provenance));
    }

    @Test
    void resumesFromTheNewestCheckpointWithItsHistory() throws Exception {
        CheckpointStore store = store();
        Map<String, String> now = provenance(CONFIG, SPEC);
        List<EpochReport> history = new ArrayList<>();
        history.add(report(1));
        store.write(checkpoint(10, 23, Checkpointing.withHistory(now, history), 1));
        history.add(report(2));
        store.write(checkpoint(20, 23, Checkpointing.withHistory(now, history), 2));

        Checkpoint c = Checkpointing.resumePoint(Optional.of(store), now, 23);
        assertEquals(20, c.step());
        assertEquals(2, c.job().completedEpochs());
        assertArrayEquals(checkpoint(20, 23, now, 2).parameters(), c.parameters());
        assertEquals(history, Checkpointing.history(c.job(), 5));
    }

    @Test
    void refusesWithoutACheckpointDirectoryOrCheckpoint() throws Exception {
        Map<String, String> now = provenance(CONFIG, SPEC);
        IllegalArgumentException off = assertThrows(IllegalArgumentException.class,
                () -> Checkpointing.resumePoint(Optional.empty(), now, 23));
        assertTrue(off.getMessage().contains("training.checkpointDir"), off.getMessage());
        CheckpointStore empty = store();
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Checkpointing.resumePoint(Optional.of(empty), now, 23));
        assertTrue(none.getMessage().contains("no valid checkpoint in " + empty.directory()), none.getMessage());
    }

    @Test
    void refusesACheckpointOfAnotherConfigurationModelOrData() throws Exception {
        CheckpointStore store = store();
        store.write(checkpoint(10, 23, provenance(CONFIG, SPEC), 1));

        TrainingConfig moreEpochs = CONFIG.withEpochs(CONFIG.epochs() + 3);
        IllegalArgumentException config = assertThrows(IllegalArgumentException.class,
                () -> Checkpointing.resumePoint(Optional.of(store), provenance(moreEpochs, SPEC), 23));
        assertTrue(config.getMessage().contains("another trainingConfig (first difference at character"),
                config.getMessage());

        IllegalArgumentException model = assertThrows(IllegalArgumentException.class,
                () -> Checkpointing.resumePoint(Optional.of(store), provenance(CONFIG, ModelSpec.mlp(4, 5, 2)), 23));
        assertTrue(model.getMessage().contains("another model"), model.getMessage());

        Map<String, String> otherData = new java.util.LinkedHashMap<>(provenance(CONFIG, SPEC));
        otherData.put("dataFingerprint", "{train=xyz, test=def}");
        IllegalArgumentException data = assertThrows(IllegalArgumentException.class,
                () -> Checkpointing.resumePoint(Optional.of(store), otherData, 23));
        assertTrue(data.getMessage().contains("another dataFingerprint"), data.getMessage());

        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> Checkpointing.resumePoint(Optional.of(store), provenance(CONFIG, SPEC), 24));
        assertTrue(count.getMessage().contains("holds 23 parameters (expected: 24"), count.getMessage());
    }

    @Test
    void provenanceDoesNotDependOnMapOrder() {
        Map<String, Object> ab = new java.util.LinkedHashMap<>();
        ab.put("train", "abc");
        ab.put("test", "def");
        Map<String, Object> ba = new java.util.LinkedHashMap<>();
        ba.put("test", "def");
        ba.put("train", "abc");
        assertEquals(Checkpointing.provenance(CONFIG, SPEC, Map.of("dataFingerprint", ab)),
                Checkpointing.provenance(CONFIG, SPEC, Map.of("dataFingerprint", ba)));
    }

    @Test
    void historyKeepsTheNewestEpochsWhenItOutgrowsItsLimit() {
        List<EpochReport> history = new ArrayList<>();
        for (int e = 1; e <= 400; e++) {
            history.add(report(e));
        }
        Map<String, String> p = Checkpointing.withHistory(Map.of(), history);
        List<EpochReport> kept = Checkpointing.history(new JobState(1, 400, new byte[0], p), 5);
        assertTrue(kept.size() < 400 && kept.size() > 100, "kept " + kept.size());
        assertEquals(history.subList(400 - kept.size(), 400), kept);
        assertTrue(p.get("history").length() <= 64 << 10);
    }
}
