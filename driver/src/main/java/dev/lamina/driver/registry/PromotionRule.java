package dev.lamina.driver.registry;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Whether a challenger replaces the champion: only if it beats the champion on {@code metric}, measured
 * on the same held-out data, by more than {@code margin}, and the new data's drift is below the blocking
 * threshold (or the run is forced; forcing overrides the drift check only, never the metric).
 *
 * @param metric the held-out metric compared: accuracy or macro_f1 (higher is better), loss, mse or mae
 *               (lower is better)
 * @param margin how much better the challenger must be, >= 0, in the metric's units
 */
public record PromotionRule(String metric, double margin) {
    public static final List<String> HIGHER_IS_BETTER = List.of("accuracy", "macro_f1");
    public static final List<String> LOWER_IS_BETTER = List.of("loss", "mse", "mae");
    /** Improvements within this of the margin are ties (0.905 - 0.9 is 0.005000000000000004 in doubles). */
    static final double TIE = 1e-9;

    /** What the rule decided. */
    public enum Outcome { PROMOTED, KEPT, BLOCKED }

    /**
     * A decision and why, in one sentence for the console and the registry.
     *
     * @param outcome what happens to the champion pointer
     * @param reason  why, with the figures compared
     */
    public record Decision(Outcome outcome, String reason) {
    }

    public PromotionRule {
        metric = metric == null ? "" : metric.toLowerCase(Locale.ROOT);
        if (!HIGHER_IS_BETTER.contains(metric) && !LOWER_IS_BETTER.contains(metric)) {
            throw new IllegalArgumentException("retrain.metric : " + metric + " (expected one of: accuracy, macro_f1,"
                    + " loss, mse, mae)");
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("retrain.margin : " + margin + " (expected: >= 0, finite)");
        }
    }

    public boolean higherIsBetter() {
        return HIGHER_IS_BETTER.contains(metric);
    }

    /** The key of the metric in metrics.json and the evaluation ({@code test_accuracy}). */
    public String key() {
        return "test_" + metric;
    }

    /**
     * @param champion   the champion's metric on the held-out data; empty when there is no champion
     * @param challenger the challenger's metric on the same data
     * @param drift      the new data's drift level against the champion's data
     * @param force      promote despite blocking drift
     */
    public Decision decide(OptionalDouble champion, double challenger, DriftReport.Level drift, boolean force) {
        if (champion.isEmpty()) {
            return new Decision(Outcome.PROMOTED, "first version: the registry has no champion");
        }
        double c = champion.getAsDouble();
        String figures = String.format(Locale.ROOT, "challenger %s %.4f vs champion %.4f, margin %.4f", metric,
                challenger, c, margin);
        if (drift == DriftReport.Level.BLOCK && !force) {
            return new Decision(Outcome.BLOCKED, "drift at the blocking threshold (" + figures + "); rerun with --force"
                    + " to promote anyway");
        }
        if (Double.isNaN(challenger) || Double.isNaN(c)) {
            return new Decision(Outcome.KEPT, "metric not comparable (" + figures + ")");
        }
        double improvement = higherIsBetter() ? challenger - c : c - challenger;
        String forced = drift == DriftReport.Level.BLOCK ? "; drift at the blocking threshold, forced" : "";
        if (improvement > margin + TIE) {
            return new Decision(Outcome.PROMOTED, String.format(Locale.ROOT, "better by %.4f > margin (%s)%s",
                    improvement, figures, forced));
        }
        return new Decision(Outcome.KEPT, String.format(Locale.ROOT, "not better by more than the margin: %s by %.4f (%s)%s",
                improvement >= 0 ? "better" : "worse", Math.abs(improvement), figures, forced));
    }
}
