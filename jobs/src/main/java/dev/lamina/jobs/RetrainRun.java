package dev.lamina.jobs;

import dev.lamina.driver.DataValidator;
import dev.lamina.driver.DistributedEvaluator;
import dev.lamina.driver.Featurizer;
import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.registry.DataProfile;
import dev.lamina.driver.registry.DataProfiler;
import dev.lamina.driver.registry.DriftReport;
import dev.lamina.driver.registry.ModelRegistry;
import dev.lamina.driver.registry.PromotionRule;
import dev.lamina.driver.registry.RegistryLock;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.EvalStats;
import dev.lamina.worker.Targets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * One fresh retrain run, holding the registry lock: check the new data, profile it and compare it with
 * the champion's, train the challenger (warm-started from the champion), evaluate both on the same
 * held-out data, decide, and commit: the version, then the champion pointer, then the run record.
 */
final class RetrainRun {
    private final SparkSession spark;
    private final JobConfig config;
    private final RetrainConfig retrain;
    private final ModelRegistry registry;
    private final RegistryLock lock;
    private final String runId;
    private final boolean force;
    private final long start = System.nanoTime();

    RetrainRun(SparkSession spark, JobConfig config, RetrainConfig retrain, ModelRegistry registry, RegistryLock lock,
               String runId, boolean force) {
        this.spark = spark;
        this.config = config;
        this.retrain = retrain;
        this.registry = registry;
        this.lock = lock;
        this.runId = runId;
        this.force = force;
    }

    /** The champion, read once: its number, model and training data profile. */
    private record Champion(int version, ModelFiles.Saved model, DataProfile profile) {
    }

    RetrainOutcome run() throws IOException {
        ModelSpec spec = config.model();
        if (Targets.of(spec) == Targets.NEXT_TOKENS || Targets.of(spec) == Targets.NOISE) {
            throw new IllegalArgumentException("retrain : a " + (spec.isDiffusion() ? "diffusion" : "language")
                    + " model (expected: a model over rows of features,"
                    + " whose data the registry can profile for drift)");
        }
        int classes = Targets.of(spec) == Targets.CLASSES ? spec.classes() : 0;
        DataLoader data = new DataLoader(config.data(), config.model());
        DataLoader.Split train;
        DataLoader.Split test;
        try {
            train = data.split(spark, true);
            test = data.split(spark, false);
            checkData(train, "the new training data", spec, classes);
            checkData(test, "the held-out data", spec, classes);
        } catch (IllegalArgumentException e) {
            return badData(e.getMessage());
        }
        Optional<Champion> champion = champion();
        System.out.printf("lamina retrain: run %s, registry %s, champion %s, %d new training / %d held-out rows%n", runId,
                registry.url(), champion.map(c -> "v" + c.version()).orElse("none (empty registry)"), train.count(),
                test.count());
        DataProfiler.Result profiled = DataProfiler.profile(train.frame(), DataLoader.FEATURES, DataLoader.LABEL,
                spec.inputSize(), classes, data.featureNames(spark), retrain.bins(), champion.map(Champion::profile));
        Optional<DriftReport> drift = profiled.onReference().map(on -> DriftReport.compare(champion.get().profile(), on,
                retrain.drift()));
        drift.ifPresent(d -> System.out.print(d.describe(retrain.reportFeatures())));
        Optional<float[]> initial = warmStart(champion, spec);
        int version = registry.nextVersion();
        String staging = registry.stage();
        try {
            TrainJob.Result challenger = TrainJob.fitAndWrite(spark, config, train, test,
                    new TrainJob.Start(false, initial), staging, r -> heartbeat());
            PromotionRule rule = retrain.rule(classes > 0);
            double challengerValue = metric(challenger.evaluation(), rule, spec);
            OptionalDouble championValue = champion.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(metric(
                    DistributedEvaluator.evaluate(spark, test.frame(), DataLoader.FEATURES, DataLoader.LABEL,
                            champion.get().model().spec(), champion.get().model().parameters()), rule, spec));
            DriftReport.Level level = drift.map(DriftReport::level).orElse(DriftReport.Level.OK);
            PromotionRule.Decision decision = rule.decide(championValue, challengerValue, level, force);
            Map<String, Object> summary = summary(version, champion, initial.isPresent(), rule, decision, challengerValue,
                    championValue, drift, train, test);
            summary.put("challengerMetrics", challenger.model().metrics());
            commit(staging, version, summary, profiled.profile(), drift, champion.map(Champion::version).orElse(0),
                    initial.isPresent(), level);
            return new RetrainOutcome(String.valueOf(summary.get("outcome")), (Integer) summary.get("exitCode"), summary);
        } catch (IOException | RuntimeException e) {
            registry.discard(staging);
            throw e;
        }
    }

    private void checkData(DataLoader.Split split, String what, ModelSpec spec, int classes) {
        new Featurizer(DataLoader.FEATURES, DataLoader.LABEL, spec.inputSize(), classes).checkSchema(split.frame().schema());
        DataValidator.Report report = DataValidator.scan(split.frame(), DataLoader.FEATURES, DataLoader.LABEL,
                spec.inputSize(), classes);
        if (report.badRows() > 0) {
            throw new IllegalArgumentException(report.describe(what));
        }
    }

    private RetrainOutcome badData(String problem) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runId", runId);
        summary.put("outcome", "bad-data");
        summary.put("exitCode", RetrainOutcome.BAD_DATA);
        summary.put("reason", "nothing trained or written: " + problem);
        return new RetrainOutcome("bad-data", RetrainOutcome.BAD_DATA, summary);
    }

    private Optional<Champion> champion() throws IOException {
        Optional<Integer> n = registry.champion();
        if (n.isEmpty()) {
            return Optional.empty();
        }
        ModelFiles.Saved model = ModelFiles.read(registry.dir(n.get()), spark.sparkContext().hadoopConfiguration());
        return Optional.of(new Champion(n.get(), model, registry.profile(n.get())));
    }

    /** The champion's parameters when warm starts are on and its model is the job's; else empty (from scratch). */
    private Optional<float[]> warmStart(Optional<Champion> champion, ModelSpec spec) {
        if (champion.isEmpty() || !retrain.warmStart()) {
            System.out.println("lamina retrain: training from scratch" + (champion.isEmpty() ? "" : " (retrain.warmStart: false)"));
            return Optional.empty();
        }
        if (!champion.get().model().spec().toMap().equals(spec.toMap())) {
            System.out.println("lamina retrain: training from scratch: the job's model differs from champion v"
                    + champion.get().version() + "'s");
            return Optional.empty();
        }
        System.out.println("lamina retrain: warm start from champion v" + champion.get().version());
        return Optional.of(champion.get().model().parameters());
    }

    private void heartbeat() {
        try {
            lock.heartbeat();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot renew the registry lock", e);
        }
    }

    /** The rule's metric from an evaluation: accuracy, macro F1, or the mean loss (loss, mse, mae). */
    static double metric(EvalStats stats, PromotionRule rule, ModelSpec spec) {
        return switch (rule.metric()) {
            case "accuracy" -> stats.accuracy();
            case "macro_f1" -> stats.macroF1();
            case "loss" -> stats.meanLoss();
            default -> {
                if (!TrainJob.lossMetric(spec, stats).orElse("").equals(rule.metric())) {
                    throw new IllegalArgumentException("retrain.metric : " + rule.metric() + " (expected: a metric the"
                            + " model has; loss " + spec.loss() + " gives " + TrainJob.lossMetric(spec, stats).orElse("none") + ")");
                }
                yield stats.meanLoss();
            }
        };
    }

    private Map<String, Object> summary(int version, Optional<Champion> champion, boolean warm, PromotionRule rule,
                                        PromotionRule.Decision decision, double challenger, OptionalDouble championValue,
                                        Optional<DriftReport> drift, DataLoader.Split train, DataLoader.Split test) {
        String outcome = decision.outcome().name().toLowerCase(Locale.ROOT);
        Integer before = champion.map(Champion::version).orElse(null);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("runId", runId);
        s.put("time", registry.clock().instant().toString());
        s.put("outcome", outcome);
        s.put("exitCode", RetrainOutcome.exitCode(outcome));
        s.put("reason", decision.reason());
        s.put("version", version);
        s.put("championBefore", before);
        s.put("championAfter", outcome.equals("promoted") ? Integer.valueOf(version) : before);
        s.put("metric", rule.key());
        s.put("margin", rule.margin());
        s.put("challenger", challenger);
        s.put("champion", championValue.isPresent() ? championValue.getAsDouble() : null);
        s.put("forced", force);
        s.put("warmStartFrom", warm ? before : null);
        s.put("trainRows", train.count());
        s.put("heldOutRows", test.count());
        s.put("trainFingerprint", train.fingerprint());
        s.put("heldOutFingerprint", test.fingerprint());
        s.put("drift", drift.map(d -> d.summary(20)).orElse(null));
        s.put("seconds", (System.nanoTime() - start) / 1e9);
        return s;
    }

    private void commit(String staging, int version, Map<String, Object> summary, DataProfile profile,
                        Optional<DriftReport> drift, int parent, boolean warm, DriftReport.Level level) throws IOException {
        lock.verifyHeld();
        Path dir = new Path(staging);
        registry.writeJson(new Path(dir, ModelRegistry.PROFILE_JSON), profile.toMap());
        if (drift.isPresent()) {
            registry.writeJson(new Path(dir, ModelRegistry.DRIFT_JSON), drift.get().toMap());
        }
        registry.writeJson(new Path(dir, ModelRegistry.DECISION_JSON), summary);
        Map<String, Object> info = new LinkedHashMap<>();
        for (String k : new String[] {"version", "runId", "outcome", "metric", "reason", "trainRows", "trainFingerprint",
                "heldOutFingerprint"}) {
            info.put(k, summary.get(k));
        }
        info.put("created", summary.get("time"));
        info.put("parent", warm ? parent : 0);
        info.put("value", summary.get("challenger"));
        info.put("rows", summary.get("trainRows"));
        info.put("driftLevel", drift.isPresent() ? level.name().toLowerCase(Locale.ROOT) : "none");
        info.put("metrics", summary.get("challengerMetrics"));
        registry.commit(staging, version, info);
        if (summary.get("outcome").equals("promoted")) {
            lock.verifyHeld();
            registry.pointer().promote(version, force && level == DriftReport.Level.BLOCK, runId,
                    String.valueOf(summary.get("reason")), registry.clock().instant());
        }
        registry.writeRun(runId, summary);
    }
}
