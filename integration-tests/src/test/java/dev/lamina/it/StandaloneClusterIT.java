package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.data.Mnist;
import dev.lamina.engine.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The deployment path users take: a real Spark standalone cluster (a Master and two Workers, each its
 * own JVM, on 127.0.0.1), the shaded application jar submitted through Spark's own {@code SparkSubmit},
 * two executors of one core each running the barrier epochs against the driver's parameter server.
 */
class StandaloneClusterIT {
    static final String CONFIG = Path.of("..", "conf", "mnist-mlp.yaml").toAbsolutePath().normalize().toString();
    static final int EPOCHS = 4;
    static final int BATCH = 64;
    /**
     * Measured 0.9265-0.927 on 8,000 training / 2,000 test samples after 4 epochs. Not bitwise equal
     * between runs on a cluster: the featurizer's repartition shuffle hands rows to each worker's block
     * in fetch order, which varies, and with it the batches.
     */
    static final double ACCURACY_BAR = 0.90;

    @Test
    void trainsMnistOnTwoExecutorsOfAStandaloneCluster() throws Exception {
        long t0 = System.nanoTime();
        Path cache = TestCache.dir().toAbsolutePath();
        Mnist.ensureFiles(cache);
        Path jar = SparkStandaloneCluster.applicationJar();
        Path dir = Path.of("target", "spark-standalone", "StandaloneClusterIT-" + System.currentTimeMillis());
        try (SparkStandaloneCluster cluster = SparkStandaloneCluster.start(dir, 2, 1, 1536, Duration.ofSeconds(90))) {
            long t1 = System.nanoTime();
            Path out = cluster.dir().resolve("model");
            SparkStandaloneCluster.JvmProcess driver = cluster.submit("driver", "1g",
                    trainArgs(jar, cache, out, EPOCHS));
            int exit = driver.waitFor(Duration.ofSeconds(240));
            long t2 = System.nanoTime();
            assertEquals(0, exit, () -> "spark-submit exit status (expected: 0)" + cluster.diagnostics());

            @SuppressWarnings("unchecked")
            Map<String, Object> metrics = (Map<String, Object>) Json.parse(Files.readString(out.resolve("metrics.json")));
            double accuracy = ((Number) metrics.get("test_accuracy")).doubleValue();
            assertTrue(accuracy >= ACCURACY_BAR, "test_accuracy " + accuracy + " (expected: >= " + ACCURACY_BAR + ")");
            assertEquals(EPOCHS, ((Number) metrics.get("epochs")).intValue(), "epochs in metrics.json");
            for (String f : List.of("model.json", "weights.safetensors")) {
                assertTrue(Files.isRegularFile(out.resolve(f)) && Files.size(out.resolve(f)) > 0,
                        out.resolve(f) + " (expected: a non-empty file)");
            }

            assertEquals(stepsInHistory(out), serverSteps(driver.text()),
                    "parameter-server steps (expected: the epochs' samples / global batch " + BATCH + ")");
            String appId = cluster.awaitAppId(driver, Duration.ofSeconds(1));
            assertRanOnBothWorkers(cluster, appId, EPOCHS);
            System.out.printf("StandaloneClusterIT: cluster up in %.1f s, spark-submit %.1f s, test %.1f s;"
                    + " test_accuracy %.4f; app %s; logs in %s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    (System.nanoTime() - t0) / 1e9, accuracy, appId, cluster.dir());
        }
    }

    /** train on 8,000 MNIST digits with two workers, batch 64, from the shared dataset cache. */
    static List<String> trainArgs(Path jar, Path cache, Path out, int epochs) {
        return new ArrayList<>(List.of("--class", "dev.lamina.jobs.Main",
                "--total-executor-cores", "2", "--executor-cores", "1", "--executor-memory", "1g",
                "--conf", "spark.ui.enabled=false",
                jar.toString(), "train", "--config", CONFIG, "--output", out.toAbsolutePath().toString(),
                "--set", "data.cache=" + cache, "--set", "data.trainLimit=8000", "--set", "data.testLimit=2000",
                "--set", "training.workers=2", "--set", "training.epochs=" + epochs,
                "--set", "training.batchSize=" + BATCH));
    }

    /** The sync steps history.jsonl accounts for: every epoch's samples / the global batch. */
    static long stepsInHistory(Path out) throws IOException {
        long samples = 0;
        for (String line : Files.readAllLines(out.resolve("history.jsonl"))) {
            samples += ((Number) ((Map<?, ?>) Json.parse(line)).get("samples")).longValue();
        }
        return samples / BATCH;
    }

    /** The step count the driver's parameter server logged when it stopped. */
    static long serverSteps(String driverLog) {
        Matcher m = Pattern.compile("parameter server stopped after ([\\d,]+) steps").matcher(driverLog);
        assertTrue(m.find(), "the driver log has no 'parameter server stopped after N steps' line");
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    /**
     * The Master lists the application as finished; each Worker ran one executor of it; and each of
     * those executors' logs shows it trained its partition in every epoch's training stage.
     */
    static void assertRanOnBothWorkers(SparkStandaloneCluster cluster, String appId, int epochs)
            throws IOException, InterruptedException {
        List<?> completed = (List<?>) cluster.masterState().get("completedapps");
        Map<?, ?> app = completed.stream().map(a -> (Map<?, ?>) a).filter(a -> appId.equals(a.get("id"))).findFirst()
                .orElseThrow(() -> new AssertionError("app " + appId + " not among the master's completed apps "
                        + completed));
        assertEquals("FINISHED", app.get("state"), "state of " + appId + " at the master");
        for (int w = 0; w < 2; w++) {
            List<Map<?, ?>> finished = cluster.finishedExecutors(w, appId, Duration.ofSeconds(30));
            assertEquals(1, finished.size(), "finished executors of " + appId + " on worker " + w + ": " + finished);
            Path appDir = cluster.workerDir(w).resolve(appId);
            List<Path> logs;
            try (Stream<Path> s = Files.list(appDir)) {
                logs = s.map(d -> d.resolve("stderr")).filter(Files::isRegularFile).toList();
            }
            assertEquals(1, logs.size(), "executor logs in " + appDir + ": " + logs);
            long trained = Files.readAllLines(logs.get(0)).stream().filter(l -> l.contains(" trained epoch ")).count();
            assertEquals(epochs, trained, "epochs trained in " + logs.get(0) + " (expected: one per epoch)");
        }
    }
}
