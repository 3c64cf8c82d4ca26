package dev.lamina.jobs;

import dev.lamina.engine.io.Json;
import dev.lamina.jobs.plan.Calibration;
import dev.lamina.jobs.plan.CostModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code plan --validate}: the cost model's prediction for every Lamina run in JSON lines written by
 * {@code bench --suite scaling} (local Spark, loopback, with a per-epoch stage launch) and {@code bench
 * --suite netem} (plain JVMs over shaped links), beside what the run measured, and a second prediction
 * from the compute time per step the run itself measured (so that how fast this shared host happened to
 * compute during the calibration and during the run does not hide how well the exchange and the waits
 * are modelled). Runs of another model (another parameter count) are left out.
 */
final class Validation {

    private Validation() {
    }

    @SuppressWarnings("unchecked")
    static List<Object> run(PlanJob.Calibrations calibrations, String files, double stageOverhead, int samples)
            throws IOException {
        List<Object> rows = new ArrayList<>();
        System.out.printf("%-8s %7s %-10s %-10s %8s %12s %12s %8s %12s %8s%n", "bench", "workers", "mode", "compress",
                "Mbit/s", "measured", "predicted", "error", "own_compute", "error");
        for (String file : files.split(",")) {
            for (String line : Files.readAllLines(Path.of(file.trim()))) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> run = (Map<String, Object>) Json.parse(line);
                if (!"lamina".equals(run.get("framework"))) {
                    continue;
                }
                if ("memory".equals(run.get("exchange"))) {
                    // The model's exchange is a network round trip; workers in the server's JVM have none.
                    System.out.printf(Locale.ROOT, "%-8s %7s %-10s skipped: exchanged in memory (same JVM as the"
                            + " server; the model covers networked workers, rerun with --set training.inProcess=false)%n",
                            "scaling", run.get("workers"), run.get("mode"));
                    continue;
                }
                Map<String, Object> row = predict(calibrations, run, stageOverhead, samples);
                if (row != null) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static Map<String, Object> predict(PlanJob.Calibrations calibrations, Map<String, Object> run,
                                               double stageOverhead, int samples) throws IOException {
        boolean netem = run.containsKey("shaper");
        int workers = integer(run, "workers");
        int batch = netem ? integer(run, "batch_per_worker") : integer(run, "batch_size") / workers;
        Calibration c = calibrations.at(batch);
        if (run.get("parameters") instanceof Number p && p.intValue() != c.parameters()) {
            return null;
        }
        double mbit = run.get("bandwidth_mbit") instanceof Number b ? b.doubleValue() : 0;
        double latency = netem && run.get("delay_ms") instanceof Number d ? d.doubleValue() / 1e3 : 0;
        CostModel.Cluster cluster = new CostModel.Cluster(workers, 1, mbit > 0 ? mbit * 1e6 / 8 : Double.POSITIVE_INFINITY,
                latency, netem ? 0 : stageOverhead, Math.max(1, samples / (batch * workers)));
        String mode = (String) run.get("mode");
        String compression = (String) run.getOrDefault("compression", "none");
        CostModel.Prediction p = CostModel.predict(c, cluster, mode, compression, integer(run, "sync_every"));
        // The same prediction from the compute time the run measured (its workers' forward, backward and,
        // in local-sgd, local optimizer per step): what is left is the model of the exchange and the waits,
        // apart from how fast the host happened to compute at calibration time.
        double ownStep = netem ? number(run, "compute_seconds_per_step")
                : number(run, "compute_seconds") / cluster.stepsPerEpoch();
        if (mode.equals("local-sgd")) {
            ownStep -= c.localOptimizerSeconds();
        }
        CostModel.Prediction own = ownStep > 0
                ? CostModel.predict(c.withCompute(ownStep), cluster, mode, compression, integer(run, "sync_every")) : null;
        double measured = ((Number) run.get("samples_per_second")).doubleValue();
        double error = p.samplesPerSecond() / measured - 1;
        double ownError = own == null ? Double.NaN : own.samplesPerSecond() / measured - 1;
        System.out.printf(Locale.ROOT, "%-8s %7d %-10s %-10s %8s %,12.0f %,12.0f %+7.0f%% %,12.0f %+7.0f%%%n",
                netem ? "netem" : "scaling", workers, mode, compression,
                mbit > 0 ? String.format(Locale.ROOT, "%.0f", mbit) : "-", measured, p.samplesPerSecond(), 100 * error,
                own == null ? Double.NaN : own.samplesPerSecond(), 100 * ownError);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bench", netem ? "netem" : "scaling");
        row.put("workers", workers);
        row.put("mode", mode);
        row.put("compression", compression);
        row.put("bandwidth_mbit", mbit > 0 ? mbit : null);
        row.put("measured_samples_per_second", measured);
        row.put("predicted_samples_per_second", p.samplesPerSecond());
        row.put("error", error);
        row.put("predicted_from_run_compute_samples_per_second", own == null ? null : own.samplesPerSecond());
        row.put("error_from_run_compute", own == null ? null : ownError);
        return row;
    }

    private static double number(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("bench result " + key + " : " + m.get(key) + " (expected: a number) in "
                    + m);
        }
        return n.doubleValue();
    }

    private static int integer(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("bench result " + key + " : " + m.get(key) + " (expected: a number) in "
                    + m);
        }
        return n.intValue();
    }
}
