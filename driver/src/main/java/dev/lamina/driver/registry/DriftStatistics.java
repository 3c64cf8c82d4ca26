package dev.lamina.driver.registry;

/**
 * Distances between two histograms over the same bins: the population stability index and the
 * Kolmogorov-Smirnov statistic. Both take counts, not shares, and compare the bins' shares.
 */
public final class DriftStatistics {
    /**
     * The share an empty bin is given in the PSI, so that a bin empty on one side adds a large but
     * finite term instead of an infinite one (a common choice; the term for a bin empty on both sides
     * is zero).
     */
    public static final double EMPTY_BIN_SHARE = 1e-4;

    private DriftStatistics() {
    }

    /**
     * PSI = sum over bins of (a - e) * ln(a / e), where e and a are the bins' shares of
     * {@code expected} and {@code actual} (a share of 0 counts as {@link #EMPTY_BIN_SHARE}). 0 for
     * equal distributions; about 0.1 is usually read as a moderate shift and 0.25 as a large one.
     */
    public static double psi(long[] expected, long[] actual) {
        check(expected, actual);
        double ne = total(expected);
        double na = total(actual);
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.max(expected[i] / ne, EMPTY_BIN_SHARE);
            double a = Math.max(actual[i] / na, EMPTY_BIN_SHARE);
            sum += (a - e) * Math.log(a / e);
        }
        return sum;
    }

    /**
     * The two-sample Kolmogorov-Smirnov statistic on binned data: the largest difference between the
     * two cumulative shares at a bin's upper edge, in [0, 1]. It equals the exact statistic of the
     * binned values, and is at most the exact statistic of the raw values (which may differ inside a bin).
     */
    public static double ks(long[] expected, long[] actual) {
        check(expected, actual);
        double ne = total(expected);
        double na = total(actual);
        long ce = 0;
        long ca = 0;
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            ce += expected[i];
            ca += actual[i];
            max = Math.max(max, Math.abs(ce / ne - ca / na));
        }
        return max;
    }

    private static void check(long[] expected, long[] actual) {
        if (expected.length != actual.length || expected.length == 0) {
            throw new IllegalArgumentException("histograms of " + expected.length + " and " + actual.length
                    + " bins (expected: the same number, at least 1)");
        }
        if (total(expected) == 0 || total(actual) == 0) {
            throw new IllegalArgumentException("histogram totals " + total(expected) + " and " + total(actual)
                    + " (expected: both > 0)");
        }
    }

    private static double total(long[] counts) {
        long n = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("histogram count " + c + " (expected: >= 0)");
            }
            n += c;
        }
        return n;
    }
}
