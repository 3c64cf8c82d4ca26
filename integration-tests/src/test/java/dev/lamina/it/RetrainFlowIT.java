package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
import dev.lamina.jobs.PredictJob;
import dev.lamina.jobs.RegistryJob;
import dev.lamina.jobs.RetrainJob;
import dev.lamina.jobs.RetrainOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled retraining end to end on Spark local[2] with a file:// registry: v1 from scratch on MNIST
 * part A, a warm-started retrain on part B (promoted or kept by the rule), a retrain on inverted images
 * that the drift check blocks, bad data refused, a concurrent run refused by the lock, a re-run of a
 * run id that leaves the registry byte for byte unchanged, a rollback, and batch scoring with the
 * champion; every state visible through {@code registry list}.
 */
class RetrainFlowIT {
    private static final String CONFIG = Path.of("..", "conf", "mnist-mlp.yaml").toString();

    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static String registry;

    @BeforeAll
    static void data() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("RetrainFlowIT").config("spark.ui.enabled", "false")
                .getOrCreate();
        LabeledImages train = Mnist.load(TestCache.dir(), true, 4000);
        LabeledImages test = Mnist.load(TestCache.dir(), false, 1000);
        write(train, 0, 1000, false, -1, "partA.parquet");
        write(train, 1000, 3000, false, -1, "partB.parquet");
        write(train, 3000, 4000, true, -1, "inverted.parquet");
        write(train, 0, 1000, false, 97, "bad.parquet");
        write(test, 0, 1000, false, -1, "test.parquet");
        write(test, 0, 1000, true, -1, "test-inverted.parquet");
        registry = dir.resolve("registry").toUri().toString();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Rows [from, to) as Parquet (label, features as floats in [0, 1]); inverted: 1 - x; every badEvery-th label 12. */
    private static void write(LabeledImages images, int from, int to, boolean inverted, int badEvery, String name) {
        List<Row> rows = new ArrayList<>();
        for (int s = from; s < to; s++) {
            Float[] v = new Float[images.features()];
            for (int i = 0; i < v.length; i++) {
                float x = images.pixel(s, i) / 255f;
                v[i] = inverted ? 1f - x : x;
            }
            int label = badEvery > 0 && s % badEvery == 0 ? 12 : images.labels()[s];
            rows.add(RowFactory.create(s, label, v));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("label", DataTypes.IntegerType)
                .add("features", DataTypes.createArrayType(DataTypes.FloatType));
        spark.createDataFrame(rows, schema).write().parquet(dir.resolve(name).toString());
    }

    private static String[] args(String runId, String train, String test) {
        return new String[] {"--config", CONFIG, "--registry", registry, "--run-id", runId,
            "--set", "data.dataset=files", "--set", "data.format=parquet",
            "--set", "data.train=" + dir.resolve(train).toUri(), "--set", "data.test=" + dir.resolve(test).toUri(),
            "--set", "training.epochs=1", "--set", "training.workers=2", "--set", "training.batchSize=64",
            "--set", "retrain.margin=0.005", "--set", "retrain.lockMinutes=5"};
    }

    private static RetrainOutcome retrain(String runId, String train, String test) throws Exception {
        return RetrainJob.run(args(runId, train, test), spark);
    }

    private static String list() throws Exception {
        String out = RegistryJob.run(new String[] {"list", "--registry", registry});
        System.out.print(out);
        return out;
    }

    /** Every file under the registry with the SHA-256 of its bytes. */
    private static Map<String, String> snapshot() throws Exception {
        Path root = dir.resolve("registry");
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String key = root.relativize(p).toString() + (Files.isDirectory(p) ? "/" : "");
                files.put(key, Files.isDirectory(p) ? "dir"
                        : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return files;
    }

    private static double number(Map<String, Object> summary, String key) {
        return ((Number) summary.get(key)).doubleValue();
    }

    @Test
    void championChallengerDriftLockRerunAndRollback() throws Exception {
        long t0 = System.nanoTime();
        // 1. An empty registry: v1 from scratch on part A, champion by default.
        RetrainOutcome v1 = retrain("night-1", "partA.parquet", "test.parquet");
        assertEquals("promoted", v1.outcome());
        assertEquals(RetrainOutcome.PROMOTED, v1.exitCode());
        assertEquals(1, v1.summary().get("version"));
        assertTrue(list().contains("champion v1") && list().contains("#1 "), "v1 is champion");

        // 2. The same run id again: replayed, the registry byte for byte unchanged.
        Map<String, String> before = snapshot();
        RetrainOutcome again = retrain("night-1", "partB.parquet", "test.parquet");
        assertEquals("promoted", again.outcome());
        assertEquals(before, snapshot(), "a re-run with the same run id changes nothing");

        // 3. Part B, warm-started from v1, while a second run tries to write at the same time.
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<RetrainOutcome> running = pool.submit(() -> retrain("night-2", "partB.parquet", "test.parquet"));
        Path lock = dir.resolve("registry").resolve("lock");
        while (!Files.exists(lock) && !running.isDone()) {
            Thread.sleep(5);
        }
        RetrainOutcome concurrent = retrain("night-2-duplicate", "partB.parquet", "test.parquet");
        RetrainOutcome v2 = running.get();
        pool.shutdown();
        assertEquals("locked", concurrent.outcome(), "a second run while the first holds the lock");
        assertEquals(RetrainOutcome.LOCKED, concurrent.exitCode());
        assertEquals(2, v2.summary().get("version"));
        assertEquals(1, v2.summary().get("warmStartFrom"));
        double gain = number(v2.summary(), "challenger") - number(v2.summary(), "champion");
        assertEquals(gain > 0.005 ? "promoted" : "kept", v2.outcome(), "the rule: better by more than the margin");
        assertEquals(0, v2.exitCode());
        assertEquals("ok", ((Map<?, ?>) v2.summary().get("drift")).get("level"), "part B is drawn like part A");
        String afterV2 = list();
        assertTrue(afterV2.contains(v2.outcome()) && !afterV2.contains("night-2-duplicate"), afterV2);
        int championAfterV2 = v2.outcome().equals("promoted") ? 2 : 1;
        assertTrue(afterV2.contains("champion v" + championAfterV2), afterV2);

        // 4. Inverted images: the challenger is better on inverted held-out data, the drift check blocks it.
        RetrainOutcome v3 = retrain("night-3", "inverted.parquet", "test-inverted.parquet");
        assertEquals("blocked", v3.outcome());
        assertEquals(RetrainOutcome.DRIFT_BLOCKED, v3.exitCode());
        assertTrue(number(v3.summary(), "challenger") > number(v3.summary(), "champion") + 0.005,
                "it would have been promoted but for the drift: " + v3.summary());
        Map<?, ?> drift = (Map<?, ?>) v3.summary().get("drift");
        assertEquals("block", drift.get("level"));
        assertTrue(((Number) drift.get("featuresBlocking")).intValue() > 600, drift.toString());
        List<?> worst = (List<?>) drift.get("worst");
        assertEquals(20, worst.size(), "a bounded list of the most drifted features, by name");
        assertTrue(String.valueOf(((Map<?, ?>) worst.get(0)).get("name")).startsWith("f"), worst.toString());
        String afterV3 = list();
        assertTrue(afterV3.contains("blocked") && afterV3.contains("champion v" + championAfterV2), afterV3);

        // 5. Bad data: refused before training, nothing written.
        before = snapshot();
        RetrainOutcome bad = retrain("night-4", "bad.parquet", "test.parquet");
        assertEquals(RetrainOutcome.BAD_DATA, bad.exitCode());
        assertTrue(String.valueOf(bad.summary().get("reason")).contains("rows with a label outside [0, 10)"),
                bad.summary().toString());
        assertEquals(before, snapshot(), "bad data writes nothing");

        // 6. Rollback to the champion before (after promoting v2 by hand if the rule kept it).
        if (championAfterV2 == 1) {
            System.out.print(RegistryJob.run(new String[] {"promote", "2", "--registry", registry, "--reason", "by hand"}));
        }
        String rolled = RegistryJob.run(new String[] {"rollback", "--registry", registry, "--reason", "v2 misbehaves"});
        System.out.print(rolled);
        assertTrue(rolled.contains("rolled back to v1") && rolled.contains("champion v1")
                && rolled.contains("rollback       v2 -> v1"), rolled);

        // 7. Batch scoring with the champion: one row out per row in.
        String out = dir.resolve("scored").toUri().toString();
        long rows = PredictJob.run(new String[] {"--registry", registry, "--config", CONFIG, "--output", out,
            "--input", dir.resolve("test.parquet").toUri().toString(), "--master", "local[2]",
            "--set", "data.dataset=files", "--set", "data.format=parquet",
            "--set", "data.train=" + dir.resolve("partA.parquet").toUri(), "--set", "data.test=" + dir.resolve("test.parquet").toUri()});
        assertEquals(1000, rows);
        assertNotEquals(0, Files.list(dir.resolve("scored")).count());
        System.out.printf("RetrainFlowIT: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
