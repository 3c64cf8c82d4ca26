package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.io.Json;
import dev.lamina.jobs.BenchJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --suite scaling} end to end on a subset (4,096 training, 500 test images, one epoch):
 * a Lamina run (2 workers, local-sgd) and an MLlib fit, each in a child JVM on local Spark, write JSON
 * lines with the keys every peer prints, the per-epoch split adding up to no more than the epoch.
 */
class ScalingBenchIT {
    private static final List<String> KEYS = List.of("framework", "model", "workers", "mode", "samples_per_second",
            "epoch_seconds", "time_to_95_seconds", "time_to_97_seconds", "setup_seconds");

    @Test
    @SuppressWarnings("unchecked")
    void laminaAndMllibRunsPrintTheCommonKeys(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("scaling.jsonl");
        BenchJob.run(new String[] {"--suite", "scaling", "--model", "mlp", "--config",
                Path.of("..", "conf", "scaling-mlp.yaml").toString(), "--runs", "2:local-sgd", "--epochs", "1",
                "--mllib", "2", "--set", "data.trainLimit=4096", "--set", "data.testLimit=500", "--json", json.toString()});
        List<String> lines = Files.readAllLines(json);
        assertEquals(2, lines.size(), lines.toString());
        Map<String, Object> lamina = (Map<String, Object>) Json.parse(lines.get(0));
        Map<String, Object> mllib = (Map<String, Object>) Json.parse(lines.get(1));
        assertEquals(KEYS, List.copyOf(lamina.keySet()).subList(0, KEYS.size()));
        assertEquals(KEYS, List.copyOf(mllib.keySet()).subList(0, KEYS.size()));
        assertEquals(List.of("lamina", 2L, "local-sgd"), List.of(lamina.get("framework"), lamina.get("workers"),
                lamina.get("mode")));
        assertEquals("mllib", mllib.get("framework"));
        double epoch = number(lamina, "epoch_seconds");
        double parts = number(lamina, "compute_seconds") + number(lamina, "comm_seconds") + number(lamina, "wait_seconds")
                + number(lamina, "fixed_seconds");
        assertTrue(parts > 0 && parts <= epoch * 1.05, "split " + parts + " of an epoch of " + epoch + ": " + lamina);
        assertTrue(number(lamina, "test_accuracy") > 0.3, lamina.toString());
        assertTrue(number(lamina, "setup_seconds") > 0 && number(mllib, "setup_seconds") > 0);
        assertTrue(number(mllib, "samples_per_second") > 0, mllib.toString());
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
