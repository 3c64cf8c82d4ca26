package dev.lamina.driver.registry;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One column of a data profile: summary statistics and a histogram of equal-width bins over
 * [{@code lo}, {@code hi}]. Values below {@code lo} count in the first bin and values above
 * {@code hi} in the last, so other data can be binned the same way and compared bin by bin.
 *
 * @param name   the column (a feature name, or "label")
 * @param mean   the mean
 * @param std    the population standard deviation
 * @param min    the smallest value
 * @param max    the largest value
 * @param lo     the histogram's lower edge
 * @param hi     the histogram's upper edge, > lo
 * @param counts rows per bin, at least one bin
 */
public record ColumnProfile(String name, double mean, double std, double min, double max, double lo, double hi,
                            long[] counts) {

    public ColumnProfile {
        if (!(hi > lo) || counts.length == 0) {
            throw new IllegalArgumentException("histogram of " + name + " over [" + lo + ", " + hi + "] with "
                    + counts.length + " bins (expected: hi > lo and at least one bin)");
        }
    }

    /**
     * The histogram range for values seen in [min, max]: the range itself, or for a constant column
     * (min == max) the value +- 0.5, so that any other value lands in another bin.
     */
    public static double[] range(double min, double max) {
        return max > min ? new double[] {min, max} : new double[] {min - 0.5, min + 0.5};
    }

    /** The bin of {@code value} among {@code bins} equal-width bins over [lo, hi], clamped to the ends. */
    public static int bin(double value, double lo, double hi, int bins) {
        double at = (value - lo) / (hi - lo) * bins;
        if (!(at > 0)) {
            return 0;
        }
        return at >= bins ? bins - 1 : (int) at;
    }

    /** Rows counted. */
    public long rows() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("mean", mean);
        m.put("std", std);
        m.put("min", min);
        m.put("max", max);
        m.put("lo", lo);
        m.put("hi", hi);
        m.put("counts", Arrays.stream(counts).boxed().toList());
        return m;
    }

    static ColumnProfile fromMap(Map<?, ?> m) {
        List<?> c = (List<?>) m.get("counts");
        long[] counts = new long[c.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = ((Number) c.get(i)).longValue();
        }
        return new ColumnProfile(String.valueOf(m.get("name")), number(m, "mean"), number(m, "std"), number(m, "min"),
                number(m, "max"), number(m, "lo"), number(m, "hi"), counts);
    }

    private static double number(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("profile column " + m.get("name") + " : " + key + " = " + v
                    + " (expected: a number)");
        }
        return n.doubleValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnProfile p && name.equals(p.name) && Double.compare(mean, p.mean) == 0
                && Double.compare(std, p.std) == 0 && Double.compare(min, p.min) == 0 && Double.compare(max, p.max) == 0
                && Double.compare(lo, p.lo) == 0 && Double.compare(hi, p.hi) == 0 && Arrays.equals(counts, p.counts);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "ColumnProfile[" + name + ", mean=" + mean + ", std=" + std + ", range=[" + min + ", " + max + "], counts="
                + Arrays.toString(counts) + "]";
    }
}
