package dev.lamina.jobs;

import dev.lamina.driver.registry.DataProfiler;
import dev.lamina.driver.registry.DriftThresholds;
import dev.lamina.driver.registry.PromotionRule;
import java.util.Locale;
import java.util.Map;

/**
 * The job file's {@code retrain} section: how the retrain job decides, and how its drift check reads.
 *
 * @param metric         the held-out metric the champion and challenger are compared on: accuracy,
 *                       macro_f1, loss, mse, mae, or auto (accuracy for a classifier, else loss)
 * @param margin         how much better the challenger must be, in the metric's units, >= 0
 * @param warmStart      start from the champion's parameters when its model spec is the job's
 * @param lockMinutes    how long the registry lock lives without a heartbeat (renewed every epoch), >= 1
 * @param drift          the drift thresholds
 * @param bins           histogram bins per feature in data profiles, >= 2
 * @param reportFeatures how many drifted features the console names, >= 1 (all are in drift.json)
 */
public record RetrainConfig(String metric, double margin, boolean warmStart, int lockMinutes, DriftThresholds drift,
                            int bins, int reportFeatures) {
    public static final String AUTO = "auto";

    public RetrainConfig {
        metric = metric == null ? AUTO : metric.toLowerCase(Locale.ROOT);
        rule(metric, margin, true);   // validates both
        if (lockMinutes < 1) {
            throw new IllegalArgumentException("retrain.lockMinutes : " + lockMinutes + " (expected: >= 1)");
        }
        if (bins < 2 || bins > 1000) {
            throw new IllegalArgumentException("retrain.drift.bins : " + bins + " (expected: in [2, 1000])");
        }
        if (reportFeatures < 1) {
            throw new IllegalArgumentException("retrain.drift.reportFeatures : " + reportFeatures + " (expected: >= 1)");
        }
    }

    public static RetrainConfig defaults() {
        return new RetrainConfig(AUTO, 0, true, 360, DriftThresholds.defaults(), DataProfiler.DEFAULT_BINS, 10);
    }

    /** The promotion rule for a model that is ({@code classifier}) or is not a classifier. */
    public PromotionRule rule(boolean classifier) {
        return rule(metric, margin, classifier);
    }

    private static PromotionRule rule(String metric, double margin, boolean classifier) {
        return new PromotionRule(metric.equals(AUTO) ? (classifier ? "accuracy" : "loss") : metric, margin);
    }

    /** The section of the parsed job file ({@code source}: JobConfig.source()), defaults where absent. */
    static RetrainConfig of(Map<String, Object> source) {
        return bind(ConfigSection.of("retrain", source.get("retrain")));
    }

    static RetrainConfig bind(ConfigSection s) {
        RetrainConfig d = defaults();
        ConfigSection drift = s.section("drift");
        DriftThresholds t = d.drift();
        RetrainConfig config = new RetrainConfig(s.string("metric", d.metric()), s.number("margin", d.margin()),
                s.bool("warmStart", d.warmStart()), s.integer("lockMinutes", d.lockMinutes()),
                new DriftThresholds(drift.number("psiWarn", t.psiWarn()), drift.number("psiBlock", t.psiBlock()),
                        drift.number("ksWarn", t.ksWarn()), drift.number("ksBlock", t.ksBlock())),
                drift.integer("bins", d.bins()), drift.integer("reportFeatures", d.reportFeatures()));
        drift.finish();
        s.finish();
        return config;
    }
}
