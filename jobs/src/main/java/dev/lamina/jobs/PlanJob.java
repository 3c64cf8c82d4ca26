package dev.lamina.jobs;

import dev.lamina.engine.io.Json;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.jobs.plan.Calibration;
import dev.lamina.jobs.plan.Calibrator;
import dev.lamina.jobs.plan.CostModel;
import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.worker.TrainingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code plan --model FILE --workers N [--shards S] [--bandwidth GBIT] [--latency MS] [--batch B]
 * [--sync-every H] [--stage-overhead S] [--samples N] [--validate FILE,...] [--json FILE]}: calibrates
 * the {@link CostModel} on this machine in the command ({@link Calibrator}: the model's step, its codecs,
 * loopback round trips to a parameter server), then predicts step time, samples/s and scaling
 * efficiency for N workers in every mode and compression, recommends one, and prints how the
 * recommendation and sync without compression scale from 1 to 512 workers. With {@code --validate}, it
 * also predicts each run in the given JSON lines of {@code bench --suite scaling} and {@code bench
 * --suite netem} and prints predicted against measured samples/s.
 */
final class PlanJob {
    private static final Set<String> OPTIONS = Set.of("model", "workers", "shards", "bandwidth", "latency", "batch",
            "sync-every", "stage-overhead", "samples", "validate", "json");
    /** Within this share of the fastest, the least lossy configuration is recommended. */
    private static final double CLOSE_TO_BEST = 0.9;

    private PlanJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("plan", t);
        }
    }

    /** The model and its training settings, from a job file (YAML) or a model file or directory (JSON). */
    record Target(ModelSpec spec, TrainingConfig training) {
    }

    @SuppressWarnings("unchecked")
    static Target target(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            JobConfig job = new ConfigLoader(Environment.defaultCache()).load(file, List.of());
            return new Target(job.model(), job.training());
        }
        Path json = Files.isDirectory(file) ? file.resolve("model.json") : file;
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException("--model " + file + " (expected: a job file (.yaml), a model.json or a"
                    + " model directory)");
        }
        Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(json));
        Map<String, Object> spec = m.containsKey("spec") ? (Map<String, Object>) m.get("spec") : m;
        return new Target(ModelSpec.fromMap(spec), TrainingConfig.defaults().withWorkers(1).withBatchSize(64));
    }

    static Map<String, Object> run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, OPTIONS);
        Map<String, String> o = parsed.options();
        Target target = target(Path.of(parsed.required("model")));
        int workers = JobArgs.integer(o, "workers", 0);
        if (workers < 1 || workers > 512) {
            throw new IllegalArgumentException("--workers " + workers + " (expected: in [1, 512])");
        }
        int batch = JobArgs.integer(o, "batch", target.training().workerBatchSize());
        int syncEvery = JobArgs.integer(o, "sync-every", target.training().exchange().syncEvery());
        double gbit = JobArgs.decimal(o, "bandwidth", Double.POSITIVE_INFINITY);
        int samples = JobArgs.integer(o, "samples", 60_000);
        CostModel.Cluster cluster = new CostModel.Cluster(workers, JobArgs.integer(o, "shards", 1), gbit * 1e9 / 8,
                JobArgs.decimal(o, "latency", 0) / 1e3, JobArgs.decimal(o, "stage-overhead", 0), Math.max(1, samples / (batch * workers)));
        Calibrations calibrations = new Calibrations(target);
        Calibration c = calibrations.at(batch);
        System.out.printf(Locale.ROOT, "lamina plan: %,d parameters, batch %d per worker; calibrated here (load %s):"
                        + " compute %.2f ms/step (sd %.2f) alone, %.2f ms (sd %.2f) with all %d cores busy, round trip"
                        + " %.3f ms, %.2f + %.2f ns/byte (worker + server), apply %.3f ms%n", c.parameters(), batch,
                ScalingBench.loadAverage(), 1e3 * c.computeSeconds(), 1e3 * c.computeStdSeconds(),
                1e3 * c.sharedComputeSeconds(), 1e3 * c.sharedComputeStdSeconds(), c.cores(), 1e3 * c.roundTripSeconds(), 1e9 * c.clientSecondsPerByte(),
                1e9 * c.serverSecondsPerByte(), 1e3 * c.applySeconds1());
        List<CostModel.Prediction> all = new ArrayList<>();
        for (String mode : CostModel.MODES) {
            for (String codec : PushCodecs.NAMES) {
                all.add(CostModel.predict(c, cluster, mode, codec, syncEvery));
            }
        }
        System.out.println(String.format("%d workers, %d shards, %s, latency %s ms:", workers, cluster.shards(),
                Double.isInfinite(gbit) ? "links as measured (loopback)" : gbit + " Gbit/s links", o.getOrDefault("latency", "0")));
        print(all);
        CostModel.Prediction best = recommend(all);
        System.out.printf(Locale.ROOT, "recommended: %s with %s compression%s: %,.0f samples/s, efficiency %.2f%n",
                best.mode(), best.compression(), best.mode().equals("local-sgd") ? " (syncEvery " + syncEvery + ")" : "",
                best.samplesPerSecond(), best.efficiency());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("calibration", c.toMap());
        result.put("predictions", all.stream().map(CostModel.Prediction::toMap).toList());
        result.put("recommended", best.toMap());
        result.put("scaling", scaling(c, cluster, best, syncEvery));
        if (o.containsKey("validate")) {
            result.put("validation", Validation.run(calibrations, o.get("validate"), JobArgs.decimal(o, "stage-overhead", 0.15),
                    samples));
        }
        if (o.containsKey("json")) {
            Files.writeString(Path.of(o.get("json")), Json.write(result) + "\n", StandardCharsets.UTF_8);
        }
        return result;
    }

    /** The fastest, unless a less lossy one (sync before local-sgd before async; none, fp16, int8, ...) is within 10%. */
    static CostModel.Prediction recommend(List<CostModel.Prediction> all) {
        double fastest = all.stream().mapToDouble(CostModel.Prediction::samplesPerSecond).max().orElseThrow();
        CostModel.Prediction pick = null;
        for (CostModel.Prediction p : all) {
            if (p.samplesPerSecond() >= CLOSE_TO_BEST * fastest && (pick == null || lossiness(p) < lossiness(pick))) {
                pick = p;
            }
        }
        return pick;
    }

    private static int lossiness(CostModel.Prediction p) {
        return CostModel.MODES.indexOf(p.mode()) * PushCodecs.NAMES.size() + PushCodecs.NAMES.indexOf(p.compression());
    }

    /** How {@code best} and sync without compression scale over 1, 2, 4, ... 512 workers. */
    private static List<Object> scaling(Calibration c, CostModel.Cluster cluster, CostModel.Prediction best, int h) {
        System.out.printf("%8s %28s %28s%n", "workers", best.mode() + "/" + best.compression() + " samples/s (eff)",
                "sync/none samples/s (eff)");
        List<Object> rows = new ArrayList<>();
        for (int n = 1; n <= 512; n *= 2) {
            CostModel.Prediction a = CostModel.predict(c, cluster.withWorkers(n), best.mode(), best.compression(), h);
            CostModel.Prediction s = CostModel.predict(c, cluster.withWorkers(n), "sync", "none", h);
            System.out.printf(Locale.ROOT, "%8d %,20.0f (%.2f) %,20.0f (%.2f)%n", n, a.samplesPerSecond(), a.efficiency(),
                    s.samplesPerSecond(), s.efficiency());
            rows.add(Map.of("workers", n, "recommended", a.toMap(), "sync_none", s.toMap()));
        }
        return rows;
    }

    private static void print(List<CostModel.Prediction> all) {
        System.out.printf("%-10s %-10s %10s %10s %10s %10s %14s %6s%n", "mode", "compress", "step_ms", "compute", "comm",
                "wait", "samples/s", "eff");
        for (CostModel.Prediction p : all) {
            System.out.printf(Locale.ROOT, "%-10s %-10s %10.3f %10.3f %10.3f %10.3f %,14.0f %6.2f%n", p.mode(),
                    p.compression(), 1e3 * p.stepSeconds(), 1e3 * p.computeSeconds(), 1e3 * p.commSeconds(),
                    1e3 * p.waitSeconds(), p.samplesPerSecond(), p.efficiency());
        }
    }

    /** Calibrations by per-worker batch, measured once each. */
    static final class Calibrations {
        private final Target target;
        private final Map<Integer, Calibration> byBatch = new HashMap<>();

        Calibrations(Target target) {
            this.target = target;
        }

        /** Calibrations already made, by batch (a batch not among them is measured for {@code target}). */
        Calibrations(Target target, Map<Integer, Calibration> measured) {
            this(target);
            byBatch.putAll(measured);
        }

        Calibration at(int batch) throws IOException {
            Calibration c = byBatch.get(batch);
            if (c == null) {
                c = Calibrator.measure(target.spec(), batch, target.training().optimizer(),
                        target.training().exchange().topkRatio(), target.training().exchange().threshold());
                byBatch.put(batch, c);
            }
            return c;
        }
    }
}
