package dev.lamina.driver.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versions, the champion pointer, run records and the run-id plan on the local file system (no Spark). */
class ModelRegistryTest {
    @TempDir
    Path dir;

    private ModelRegistry registry() throws Exception {
        return ModelRegistry.open(dir.toUri().toString(), new Configuration());
    }

    private static Map<String, Object> info(int n, String runId, String outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", n);
        m.put("runId", runId);
        m.put("created", "2026-01-01T00:00:00Z");
        m.put("parent", n - 1);
        m.put("outcome", outcome);
        m.put("metric", "test_accuracy");
        m.put("value", 0.5 + n / 100.0);
        m.put("rows", 1000);
        return m;
    }

    private static void addVersion(ModelRegistry r, int n, String runId, String outcome) throws Exception {
        String staging = r.stage();
        r.commit(staging, n, info(n, runId, outcome));
    }

    @Test
    void versionsAreNumberedAndImmutable() throws Exception {
        ModelRegistry r = registry();
        assertEquals(List.of(), r.versions());
        assertEquals(1, r.nextVersion());
        addVersion(r, 1, "a", "promoted");
        addVersion(r, 2, "b", "kept");
        assertEquals(List.of(1, 2), r.versions().stream().map(RegistryVersion::version).toList());
        assertEquals(3, r.nextVersion());
        assertEquals(0.52, r.version(2).value(), 1e-12);
        assertThrows(IllegalStateException.class, () -> r.commit(r.stage(), 2, info(2, "c", "kept")));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> r.version(7));
        assertTrue(missing.getMessage().contains("[v1, v2]"), missing.getMessage());
    }

    @Test
    void rollbackWalksBackThroughFormerChampions() throws Exception {
        ChampionPointer p = registry().pointer();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThrows(IllegalArgumentException.class, () -> p.rollback(0, "ops", "none yet", t));
        p.promote(1, false, "r1", "first", t);
        assertThrows(IllegalArgumentException.class, () -> p.rollback(0, "ops", "nothing before v1", t));
        p.promote(2, false, "r2", "better", t);
        p.promote(3, true, "r3", "forced", t);
        assertEquals(3, p.current().orElseThrow().version());
        assertEquals(2, p.rollback(0, "ops", "bad v3", t).version());
        assertEquals(1, p.rollback(0, "ops", "bad v2", t).version());
        assertThrows(IllegalArgumentException.class, () -> p.rollback(0, "ops", "v1 was first", t));
        assertEquals(5, p.history().size(), "3 promotions, 2 rollbacks");
        List<ChampionPointer.Entry> h = p.history();
        assertEquals(List.of("promote", "promote", "promote-forced", "rollback", "rollback"),
                h.stream().map(ChampionPointer.Entry::action).toList());
        assertEquals(List.of(1, 2, 3, 2, 1), h.stream().map(ChampionPointer.Entry::version).toList());
        assertEquals(3, p.rollback(3, "ops", "v3 after all", t).version(), "--to a former champion");
        assertEquals(2, p.rollback(0, "ops", "and back", t).version(), "from v3 back to v2, as when v3 was promoted");
    }

    @Test
    void twoWritersRacingForOneEntryCannotBothWin() throws Exception {
        FileSystem fs = ExclusiveFiles.plain(FileSystem.getLocal(new Configuration()));
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.toUri().toString(), "x/00000001.json");
        assertTrue(ExclusiveFiles.create(fs, file, "{\"a\":1}".getBytes()));
        assertFalse(ExclusiveFiles.create(fs, file, "{\"a\":2}".getBytes()));
        assertEquals("{\"a\":1}", ExclusiveFiles.read(fs, file));
        assertEquals(1, fs.listStatus(file.getParent()).length, "no temporary file left");
    }

    @Test
    void runRecordsAreWrittenOnceUnderASafeName() throws Exception {
        ModelRegistry r = registry();
        String airflow = "scheduled__2026-01-01T00:00:00+00:00";
        assertEquals(Optional.empty(), r.run(airflow));
        r.writeRun(airflow, Map.of("runId", airflow, "outcome", "kept"));
        assertEquals("kept", r.run(airflow).orElseThrow().get("outcome"));
        assertThrows(IllegalStateException.class, () -> r.writeRun(airflow, Map.of("runId", airflow)));
        assertEquals(Optional.empty(), r.run("scheduled__2026-01-01T00_00_00_00_00"), "a different id, a different file");
        assertThrows(IllegalArgumentException.class, () -> r.run(""));
    }

    @Test
    void theRunPlanReplaysFinishesOrStartsAfresh() throws Exception {
        ModelRegistry r = registry();
        addVersion(r, 1, "night-1", "promoted");
        addVersion(r, 2, "night-2", "promoted");
        List<RegistryVersion> versions = r.versions();
        RunPlan replay = RunPlan.of("night-1", Optional.of(Map.of("runId", "night-1")), versions);
        assertEquals(RunPlan.Kind.REPLAY, replay.kind());
        RunPlan finish = RunPlan.of("night-2", Optional.empty(), versions);
        assertEquals(RunPlan.Kind.FINISH, finish.kind());
        assertEquals(2, finish.version().orElseThrow().version());
        assertEquals(RunPlan.Kind.FRESH, RunPlan.of("night-3", Optional.empty(), versions).kind());

        ChampionPointer p = r.pointer();
        p.promote(1, false, "night-1", "first", Instant.EPOCH);
        assertTrue(RunPlan.pointerPending(r.version(2), p.history()), "v2 promoted but the pointer never moved");
        p.promote(2, false, "night-2", "better", Instant.EPOCH);
        assertFalse(RunPlan.pointerPending(r.version(2), p.history()), "moved already: not again");
        addVersion(r, 3, "night-3", "kept");
        assertFalse(RunPlan.pointerPending(r.version(3), p.history()), "kept: nothing to move");
        addVersion(r, 4, "night-3", "kept");
        assertThrows(IllegalStateException.class, () -> RunPlan.of("night-3", Optional.empty(), r.versions()));
    }
}
