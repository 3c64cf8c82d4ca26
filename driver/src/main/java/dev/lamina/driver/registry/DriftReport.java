package dev.lamina.driver.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The new training data compared with the champion's, column by column, on the champion's bins.
 * Reports stay bounded however many features there are: counts per level and the worst few features
 * by name; every feature's figures go to {@link #toMap()} (the registry's drift.json).
 *
 * @param features   one entry per feature, in feature order
 * @param label      the label's shift
 * @param thresholds the thresholds that set the levels
 */
public record DriftReport(List<Column> features, Column label, DriftThresholds thresholds) {

    /** How far a column drifted. */
    public enum Level { OK, WARN, BLOCK }

    /**
     * One column's drift.
     *
     * @param name          the feature's name (or "label")
     * @param psi           population stability index on the reference's bins
     * @param ks            Kolmogorov-Smirnov statistic on those bins (NaN for class labels)
     * @param referenceMean the reference data's mean
     * @param mean          the new data's mean
     * @param level         the level the thresholds give
     */
    public record Column(String name, double psi, double ks, double referenceMean, double mean, Level level) {

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("psi", psi);
            m.put("ks", Double.isNaN(ks) ? null : ks);
            m.put("referenceMean", referenceMean);
            m.put("mean", mean);
            m.put("level", level.name().toLowerCase(Locale.ROOT));
            return m;
        }
    }

    public DriftReport {
        features = List.copyOf(features);
    }

    /**
     * Compares the new data, binned on the reference's bins ({@code onReference}, from
     * {@link DataProfiler}), with the reference profile.
     */
    public static DriftReport compare(DataProfile reference, DataProfile onReference, DriftThresholds thresholds) {
        if (reference.features().size() != onReference.features().size() || reference.classes() != onReference.classes()) {
            throw new IllegalArgumentException("profiles of " + reference.features().size() + " and "
                    + onReference.features().size() + " features, " + reference.classes() + " and "
                    + onReference.classes() + " classes (expected: the same)");
        }
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < reference.features().size(); i++) {
            columns.add(column(reference.features().get(i), onReference.features().get(i), false, thresholds));
        }
        Column label = column(reference.label(), onReference.label(), reference.classes() > 0, thresholds);
        return new DriftReport(columns, label, thresholds);
    }

    private static Column column(ColumnProfile ref, ColumnProfile now, boolean classes, DriftThresholds t) {
        if (ref.counts().length != now.counts().length || ref.lo() != now.lo() || ref.hi() != now.hi()) {
            throw new IllegalArgumentException("column " + ref.name() + " binned over [" + now.lo() + ", " + now.hi()
                    + "] in " + now.counts().length + " bins (expected: the reference's [" + ref.lo() + ", " + ref.hi()
                    + "] in " + ref.counts().length + ")");
        }
        double psi = DriftStatistics.psi(ref.counts(), now.counts());
        double ks = classes ? Double.NaN : DriftStatistics.ks(ref.counts(), now.counts());
        return new Column(now.name(), psi, ks, ref.mean(), now.mean(), t.level(psi, ks));
    }

    /** The highest level of any feature or the label. */
    public Level level() {
        Level max = label.level();
        for (Column c : features) {
            if (c.level().compareTo(max) > 0) {
                max = c.level();
            }
        }
        return max;
    }

    /** Features at exactly {@code level}. */
    public long count(Level level) {
        return features.stream().filter(c -> c.level() == level).count();
    }

    /** The {@code n} most drifted features (by level, then PSI, then KS), drifted ones only. */
    public List<Column> worst(int n) {
        return features.stream().filter(c -> c.level() != Level.OK)
                .sorted(Comparator.comparing(Column::level).thenComparingDouble(Column::psi)
                        .thenComparingDouble(Column::ks).reversed())
                .limit(n).toList();
    }

    /** A bounded summary: the level, counts per level, the label's shift and the {@code top} worst features. */
    public Map<String, Object> summary(int top) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("level", level().name().toLowerCase(Locale.ROOT));
        m.put("features", features.size());
        m.put("featuresBlocking", count(Level.BLOCK));
        m.put("featuresWarning", count(Level.WARN));
        m.put("maxPsi", features.stream().mapToDouble(Column::psi).max().orElse(0));
        m.put("maxKs", features.stream().mapToDouble(Column::ks).max().orElse(0));
        m.put("label", label.toMap());
        m.put("worst", worst(top).stream().map(Column::toMap).toList());
        m.put("thresholds", Map.of("psiWarn", thresholds.psiWarn(), "psiBlock", thresholds.psiBlock(),
                "ksWarn", thresholds.ksWarn(), "ksBlock", thresholds.ksBlock()));
        return m;
    }

    /** Every feature's figures (for the registry's drift.json) with the summary. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = summary(20);
        m.put("all", features.stream().map(Column::toMap).toList());
        return m;
    }

    /** Lines for the console: the level and counts, the label, and the {@code top} worst features by name. */
    public String describe(int top) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "drift: %s; %d of %d features at the blocking threshold, %d more warn"
                        + " (PSI >= %.2f / %.2f or KS >= %.2f / %.2f); label PSI %.4f (%s)%n",
                level().name(), count(Level.BLOCK), features.size(), count(Level.WARN), thresholds.psiBlock(),
                thresholds.psiWarn(), thresholds.ksBlock(), thresholds.ksWarn(), label.psi(), label.level().name()));
        double[] psi = features.stream().mapToDouble(Column::psi).sorted().toArray();
        sb.append(String.format(Locale.ROOT, "  PSI over the %d features: median %.4f, 90th percentile %.4f, max %.4f%n",
                psi.length, psi[(psi.length - 1) / 2], psi[(int) Math.floor(0.9 * (psi.length - 1))], psi[psi.length - 1]));
        List<Column> worst = worst(top);
        for (Column c : worst) {
            sb.append(String.format(Locale.ROOT, "  %-14s %-5s PSI %8.4f  KS %6.4f  mean %.4f -> %.4f%n", c.name(),
                    c.level().name(), c.psi(), c.ks(), c.referenceMean(), c.mean()));
        }
        long drifted = count(Level.BLOCK) + count(Level.WARN);
        if (drifted > worst.size()) {
            sb.append("  ... and ").append(drifted - worst.size()).append(" more drifted features (all in drift.json)\n");
        }
        return sb.toString();
    }
}
