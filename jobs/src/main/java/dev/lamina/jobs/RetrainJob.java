package dev.lamina.jobs;

import dev.lamina.driver.registry.ModelRegistry;
import dev.lamina.driver.registry.RegistryLock;
import dev.lamina.driver.registry.RegistryVersion;
import dev.lamina.driver.registry.RunPlan;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * {@code retrain --config FILE --registry URL --run-id ID [--force] [--set key=value]... [--master URL]}:
 * trains a challenger on the job file's training data (warm-started from the registry's champion, or
 * from scratch when the registry is empty), evaluates champion and challenger on the job file's test
 * data, checks the new data's drift against the champion's, registers the challenger as the next
 * version and promotes it only if the rule in the job file's {@code retrain} section says so. The
 * same run id never makes a second version: a run that decided before is replayed (nothing written).
 * Exit statuses: see {@link RetrainOutcome}.
 */
public final class RetrainJob {

    private RetrainJob() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args).exitCode();
        } catch (Throwable t) {
            Jobs.fail("retrain", t);
            return;
        }
        System.exit(code);
    }

    /** Runs the job on its own Spark session; errors propagate, decisions and refusals are outcomes. */
    public static RetrainOutcome run(String[] args) throws Exception {
        JobArgs parsed = parse(args);
        JobConfig config = parsed.config();
        SparkSession spark = Environment.spark("lamina retrain", parsed.options().get("master"));
        try {
            return run(parsed, config, spark);
        } finally {
            spark.stop();
        }
    }

    /** Runs the job on {@code spark}, which stays open (for tests and embedding). */
    public static RetrainOutcome run(String[] args, SparkSession spark) throws Exception {
        JobArgs parsed = parse(args);
        return run(parsed, parsed.config(), spark);
    }

    private static JobArgs parse(String[] args) {
        JobArgs parsed = JobArgs.parse(args, Set.of("config", "registry", "run-id", "master"), Set.of("force"));
        parsed.required("registry");
        parsed.required("run-id");
        return parsed;
    }

    private static RetrainOutcome run(JobArgs parsed, JobConfig config, SparkSession spark) throws Exception {
        RetrainConfig retrain = RetrainConfig.of(config.source());
        String runId = parsed.required("run-id");
        ModelRegistry registry = ModelRegistry.open(parsed.required("registry"), spark.sparkContext().hadoopConfiguration());
        Optional<Map<String, Object>> record = registry.run(runId);
        if (record.isPresent()) {
            return replay(record.get());
        }
        try (RegistryLock lock = registry.lock(runId, Duration.ofMinutes(retrain.lockMinutes()))) {
            RunPlan plan = RunPlan.of(runId, registry.run(runId), registry.versions());
            RetrainOutcome outcome = switch (plan.kind()) {
                case REPLAY -> replay(plan.record().orElseThrow());
                case FINISH -> finish(registry, lock, plan.version().orElseThrow());
                case FRESH -> new RetrainRun(spark, config, retrain, registry, lock, runId, parsed.flag("force")).run();
            };
            print(outcome);
            return outcome;
        } catch (RegistryLock.HeldException e) {
            System.err.println("lamina retrain: LOCKED, nothing written: " + e.getMessage());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("runId", runId);
            summary.put("outcome", "locked");
            summary.put("exitCode", RetrainOutcome.LOCKED);
            summary.put("reason", e.getMessage());
            return new RetrainOutcome("locked", RetrainOutcome.LOCKED, summary);
        }
    }

    /** A run that decided before: its decision again, nothing written. */
    private static RetrainOutcome replay(Map<String, Object> record) {
        String outcome = String.valueOf(record.get("outcome"));
        System.out.println("lamina retrain: run " + record.get("runId") + " decided already at " + record.get("time")
                + "; the registry is left as it is");
        RetrainOutcome o = new RetrainOutcome(outcome, RetrainOutcome.exitCode(outcome), record);
        print(o);
        return o;
    }

    /** A run that committed its version and died before its record: the rest of its commit. */
    private static RetrainOutcome finish(ModelRegistry registry, RegistryLock lock, RegistryVersion version)
            throws java.io.IOException {
        Map<String, Object> decision = registry.versionFile(version.version(), ModelRegistry.DECISION_JSON)
                .orElseThrow(() -> new IllegalStateException("version v" + version.version() + " has no "
                        + ModelRegistry.DECISION_JSON));
        System.out.println("lamina retrain: run " + version.runId() + " committed v" + version.version()
                + " but did not finish; finishing its commit (no training)");
        lock.verifyHeld();
        if (RunPlan.pointerPending(version, registry.pointer().history())) {
            registry.pointer().promote(version.version(), Boolean.TRUE.equals(decision.get("forced")), version.runId(),
                    String.valueOf(decision.get("reason")), registry.clock().instant());
        }
        registry.writeRun(version.runId(), decision);
        String outcome = String.valueOf(decision.get("outcome"));
        return new RetrainOutcome(outcome, RetrainOutcome.exitCode(outcome), decision);
    }

    /** The decision in one clear line, then the summary as JSON. */
    private static void print(RetrainOutcome o) {
        Map<String, Object> s = o.summary();
        String line = switch (o.outcome()) {
            case "promoted" -> "PROMOTED v" + s.get("version") + " to champion";
            case "kept" -> "KEPT champion v" + s.get("championBefore") + " (v" + s.get("version") + " registered, not promoted)";
            case "blocked" -> "DRIFT BLOCKED promotion: champion v" + s.get("championBefore") + " stays (v"
                    + s.get("version") + " registered)";
            default -> o.outcome().toUpperCase(Locale.ROOT).replace('-', ' ');
        };
        System.out.println("lamina retrain: " + line + ": " + s.get("reason") + " [exit " + o.exitCode() + "]");
        Map<String, Object> brief = new LinkedHashMap<>(s);
        brief.remove("challengerMetrics");
        System.out.println(dev.lamina.engine.io.Json.write(brief));
    }
}
