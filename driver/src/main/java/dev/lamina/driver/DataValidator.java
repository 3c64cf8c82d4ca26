package dev.lamina.driver;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One pass over a DataFrame before training that counts every bad row by kind (wrong feature length,
 * non-finite feature, null, label outside the class range) and keeps the first example of each, so the
 * error says how many rows are bad, which kinds, and where to look, before any model is trained.
 */
public final class DataValidator {

    private DataValidator() {
    }

    /** Problems found: counts and one example message per kind. */
    public record Report(long rows, Map<String, Long> counts, Map<String, String> examples) implements Serializable {

        static Report empty() {
            return new Report(0, new LinkedHashMap<>(), new LinkedHashMap<>());
        }

        Report merge(Report o) {
            Map<String, Long> c = new LinkedHashMap<>(counts);
            o.counts.forEach((k, v) -> c.merge(k, v, Long::sum));
            Map<String, String> e = new LinkedHashMap<>(examples);
            o.examples.forEach(e::putIfAbsent);
            return new Report(rows + o.rows, c, e);
        }

        public long badRows() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        /** A one-paragraph description, e.g. for an exception message. */
        public String describe(String what) {
            List<String> parts = new ArrayList<>();
            counts.forEach((kind, n) -> parts.add(n + " " + kind + " (e.g. " + examples.get(kind) + ")"));
            return what + " has " + badRows() + " bad row(s) of " + rows + ": " + String.join("; ", parts);
        }
    }

    /** Throws IllegalArgumentException describing every kind of bad row, if there is any. */
    /** {@code classes} 0: the labels are values (regression) and need only be finite. */
    public static void check(Dataset<Row> df, String featuresCol, String labelCol, int width, int classes, String what) {
        Report report = scan(df, featuresCol, labelCol, width, classes);
        if (report.badRows() > 0) {
            throw new IllegalArgumentException(report.describe(what));
        }
    }

    /**
     * For a language model: throws describing every bad window (wrong length, token id outside
     * [0, vocab), null) of the features column, if there is any.
     */
    public static void checkTokens(Dataset<Row> df, String featuresCol, int width, int vocab, String what) {
        Report report = df.select(featuresCol).javaRDD()
                .mapPartitionsWithIndex((partition, rows) -> List.of(scanTokens(partition, rows, width, vocab)).iterator(),
                        false)
                .fold(Report.empty(), Report::merge);
        if (report.badRows() > 0) {
            throw new IllegalArgumentException(report.describe(what));
        }
    }

    private static Report scanTokens(int partition, Iterator<Row> rows, int width, int vocab) {
        Report report = Report.empty();
        float[] features = new float[width];
        float[] labels = new float[width];
        long n = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            try {
                Featurizer.readTokens(row, 0, width, vocab, features, labels);
            } catch (IllegalArgumentException e) {
                String m = e.getMessage().replace(" in row 0 of this partition", "");
                String kind = m.startsWith("token window of length") ? "windows of the wrong length"
                        : m.startsWith("token id") ? "windows with a token outside the vocabulary" : "null windows";
                report.counts().merge(kind, 1L, Long::sum);
                report.examples().putIfAbsent(kind, "partition " + partition + ", row " + n + ": " + m);
            }
            n++;
        }
        return new Report(n, report.counts(), report.examples());
    }

    public static Report scan(Dataset<Row> df, String featuresCol, String labelCol, int width, int classes) {
        return df.select(featuresCol, labelCol).javaRDD()
                .mapPartitionsWithIndex((partition, rows) -> List.of(scanPartition(partition, rows, width, classes)).iterator(),
                        false)
                .fold(Report.empty(), Report::merge);
    }

    private static Report scanPartition(int partition, Iterator<Row> rows, int width, int classes) {
        Report report = Report.empty();
        float[] buffer = new float[width];
        long n = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            String where = "partition " + partition + ", row " + n;
            String problem = problem(row, width, classes, buffer);
            if (problem != null) {
                String kind = problem.substring(0, problem.indexOf(':'));
                report.counts().merge(kind, 1L, Long::sum);
                report.examples().putIfAbsent(kind, where + problem.substring(problem.indexOf(':')));
            }
            n++;
        }
        return new Report(n, report.counts(), report.examples());
    }

    /** "kind: detail" for a bad row, null for a good one. */
    private static String problem(Row row, int width, int classes, float[] buffer) {
        if (row.isNullAt(0)) {
            return "rows with null features: features are null";
        }
        try {
            Featurizer.readFeatures(row, 0, 0, width, buffer);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            return (m.startsWith("feature vector of length") ? "rows with a feature vector of the wrong length"
                    : "rows with non-finite features") + ": " + m.replace(" in row 0 of this partition", "");
        }
        if (row.isNullAt(1)) {
            return "rows with a null label: label is null";
        }
        double v = ((Number) row.get(1)).doubleValue();
        if (classes == 0 && !Double.isFinite(v)) {
            return "rows with a non-finite label: label " + v;
        }
        if (classes > 0 && (v != Math.rint(v) || v < 0 || v >= classes)) {
            return "rows with a label outside [0, " + classes + "): label " + v;
        }
        return null;
    }
}
