package dev.lamina.jobs;

import dev.lamina.engine.io.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run of {@code bench --suite scaling}: a framework training a model with some workers in some
 * mode, as the JSON line the bench prints. The first keys are the ones every peer prints
 * ({@link #KEYS}); more follow (the time split, the accuracy, how time-to-accuracy was measured).
 *
 * @param values the JSON object, in key order; {@link #KEYS} are all present (null = not reached or
 *               not measured)
 */
record ScalingResult(Map<String, Object> values) {
    /** The keys every framework's line carries, in this order. */
    static final List<String> KEYS = List.of("framework", "model", "workers", "mode", "samples_per_second",
            "epoch_seconds", "time_to_95_seconds", "time_to_97_seconds", "setup_seconds");
    /** Marks the child JVM's result line on its standard output. */
    static final String MARKER = "lamina-scaling-result ";

    ScalingResult {
        Objects.requireNonNull(values, "values");
        for (String key : KEYS) {
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException("scaling result without " + key + ": " + values.keySet()
                        + " (expected: all of " + KEYS + ")");
            }
        }
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Starts a result with the common keys (the figures still null) for the caller to fill in. */
    static Map<String, Object> start(String framework, String model, int workers, String mode) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String key : KEYS) {
            m.put(key, null);
        }
        m.put("framework", framework);
        m.put("model", model);
        m.put("workers", workers);
        m.put("mode", mode);
        return m;
    }

    /** Parses a line the child printed with {@link #MARKER}. */
    @SuppressWarnings("unchecked")
    static ScalingResult parse(String line) {
        if (!line.startsWith(MARKER)) {
            throw new IllegalArgumentException("result line : " + line + " (expected: starting with '" + MARKER + "')");
        }
        return new ScalingResult((Map<String, Object>) Json.parse(line.substring(MARKER.length())));
    }

    String json() {
        return Json.write(values);
    }

    String text(String key) {
        return String.valueOf(values.get(key));
    }

    /** A number, or NaN when the key is null or absent. */
    double number(String key) {
        return values.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** The seconds from the first threshold reached at or above {@code target}, as a time-to-accuracy. */
    static Object timeTo(List<double[]> accuracyAtSeconds, double target) {
        for (double[] point : accuracyAtSeconds) {
            if (point[0] >= target) {
                return point[1];
            }
        }
        return null;
    }

    /** The table row: framework, workers, mode, samples/s, epoch and its split, times to accuracy, set-up. */
    String row() {
        return String.format("%-10s %-6s %7s %-10s %10s %8s %8s %8s %8s %8s %8s %8s %8s", text("framework"),
                text("model"), text("workers"), text("mode"), format(number("samples_per_second"), "%,.0f"),
                seconds("epoch_seconds"), seconds("compute_seconds"), seconds("comm_seconds"),
                seconds("wait_seconds"), seconds("fixed_seconds"), seconds("time_to_95_seconds"),
                seconds("time_to_97_seconds"), seconds("setup_seconds"));
    }

    static String header() {
        return String.format("%-10s %-6s %7s %-10s %10s %8s %8s %8s %8s %8s %8s %8s %8s", "framework", "model",
                "workers", "mode", "samples/s", "epoch_s", "compute", "comm", "wait", "fixed", "to_95%", "to_97%",
                "setup_s");
    }

    private String seconds(String key) {
        return format(number(key), "%.2f");
    }

    private static String format(double v, String pattern) {
        return Double.isFinite(v) ? String.format(pattern, v) : "-";
    }
}
