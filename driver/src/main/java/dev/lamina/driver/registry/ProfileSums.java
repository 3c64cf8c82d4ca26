package dev.lamina.driver.registry;

import dev.lamina.worker.FeatureBlock;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The two mergeable aggregates a data profile is made of, over the columns of feature blocks (the
 * features, then the label as the last column): first {@link Moments}, which give each column's range,
 * then {@link Binned} counts over ranges fixed from them (or from another profile, to compare with it).
 */
final class ProfileSums {

    private ProfileSums() {
    }

    private static double column(FeatureBlock b, int r, int c) {
        return c < b.width() ? b.features()[r * b.width() + c] : b.labels()[r];
    }

    /** Count, sum, sum of squares, minimum and maximum per column. */
    record Moments(long rows, double[] sum, double[] sumSq, double[] min, double[] max) implements Serializable {

        static Moments empty(int columns) {
            double[] min = new double[columns];
            double[] max = new double[columns];
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
            return new Moments(0, new double[columns], new double[columns], min, max);
        }

        static Moments of(FeatureBlock b) {
            Moments m = empty(b.width() + 1);
            for (int r = 0; r < b.rows(); r++) {
                for (int c = 0; c <= b.width(); c++) {
                    double v = column(b, r, c);
                    m.sum[c] += v;
                    m.sumSq[c] += v * v;
                    m.min[c] = Math.min(m.min[c], v);
                    m.max[c] = Math.max(m.max[c], v);
                }
            }
            return new Moments(b.rows(), m.sum, m.sumSq, m.min, m.max);
        }

        Moments merge(Moments o) {
            if (o.sum.length != sum.length) {
                throw new IllegalArgumentException("cannot merge moments of " + sum.length + " and " + o.sum.length + " columns");
            }
            Moments m = empty(sum.length);
            for (int c = 0; c < sum.length; c++) {
                m.sum[c] = sum[c] + o.sum[c];
                m.sumSq[c] = sumSq[c] + o.sumSq[c];
                m.min[c] = Math.min(min[c], o.min[c]);
                m.max[c] = Math.max(max[c], o.max[c]);
            }
            return new Moments(rows + o.rows, m.sum, m.sumSq, m.min, m.max);
        }

        double mean(int c) {
            return rows == 0 ? Double.NaN : sum[c] / rows;
        }

        double std(int c) {
            double mean = mean(c);
            return rows == 0 ? Double.NaN : Math.sqrt(Math.max(0, sumSq[c] / rows - mean * mean));
        }
    }

    /** Rows per bin of each column, on equal-width bins over fixed per-column ranges. */
    record Binned(double[] lo, double[] hi, int[] bins, long[][] counts) implements Serializable {

        static Binned empty(double[] lo, double[] hi, int[] bins) {
            long[][] counts = new long[bins.length][];
            for (int c = 0; c < bins.length; c++) {
                counts[c] = new long[bins[c]];
            }
            return new Binned(lo, hi, bins, counts);
        }

        Binned add(FeatureBlock b) {
            if (b.width() + 1 != bins.length) {
                throw new IllegalArgumentException("block of width " + b.width() + " for a profile of "
                        + (bins.length - 1) + " features");
            }
            Binned out = empty(lo, hi, bins);
            for (int c = 0; c < bins.length; c++) {
                System.arraycopy(counts[c], 0, out.counts[c], 0, bins[c]);
            }
            for (int r = 0; r < b.rows(); r++) {
                for (int c = 0; c < bins.length; c++) {
                    out.counts[c][ColumnProfile.bin(column(b, r, c), lo[c], hi[c], bins[c])]++;
                }
            }
            return out;
        }

        Binned merge(Binned o) {
            if (!Arrays.equals(o.bins, bins)) {
                throw new IllegalArgumentException("cannot merge histograms of " + bins.length + " and " + o.bins.length
                        + " columns with different bins");
            }
            Binned out = empty(lo, hi, bins);
            for (int c = 0; c < bins.length; c++) {
                for (int i = 0; i < bins[c]; i++) {
                    out.counts[c][i] = counts[c][i] + o.counts[c][i];
                }
            }
            return out;
        }
    }
}
