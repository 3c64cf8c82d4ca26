package dev.lamina.driver.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a training set looked like, kept with each registry version so that the next run's data can be
 * compared with it: per feature, summary statistics and a histogram; and the label distribution (class
 * counts, one bin per class, or a histogram of label values without classes).
 *
 * @param rows     rows profiled
 * @param features one profile per feature, in feature order
 * @param label    the label column
 * @param classes  the number of classes (the label histogram has one bin per class), 0 for values
 */
public record DataProfile(long rows, List<ColumnProfile> features, ColumnProfile label, int classes) {
    public static final String FORMAT = "lamina-data-profile";

    public DataProfile {
        features = List.copyOf(features);
        if (features.isEmpty()) {
            throw new IllegalArgumentException("data profile of no features (expected: at least one)");
        }
        if (classes < 0 || classes > 0 && label.counts().length != classes) {
            throw new IllegalArgumentException("label histogram of " + label.counts().length + " bins for " + classes
                    + " classes (expected: one bin per class)");
        }
    }

    /** The label's share per class (classification) or per histogram bin. */
    public double[] labelShares() {
        double[] s = new double[label.counts().length];
        double n = Math.max(1, label.rows());
        for (int i = 0; i < s.length; i++) {
            s[i] = label.counts()[i] / n;
        }
        return s;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("rows", rows);
        m.put("classes", classes);
        m.put("label", label.toMap());
        List<Object> f = new ArrayList<>(features.size());
        features.forEach(c -> f.add(c.toMap()));
        m.put("features", f);
        return m;
    }

    public static DataProfile fromMap(Map<?, ?> m) {
        if (!FORMAT.equals(m.get("format"))) {
            throw new IllegalArgumentException("data profile format " + m.get("format") + " (expected: " + FORMAT + ")");
        }
        List<ColumnProfile> features = new ArrayList<>();
        for (Object o : (List<?>) m.get("features")) {
            features.add(ColumnProfile.fromMap((Map<?, ?>) o));
        }
        return new DataProfile(((Number) m.get("rows")).longValue(), features,
                ColumnProfile.fromMap((Map<?, ?>) m.get("label")), ((Number) m.get("classes")).intValue());
    }
}
