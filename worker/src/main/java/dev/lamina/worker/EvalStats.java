package dev.lamina.worker;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation metrics as a mergeable aggregate: for classification, a confusion matrix (rows = true
 * class, columns = predicted class) and the summed log-loss; for regression and reconstruction
 * ({@link #values()}), the row count and the summed loss (so the mean loss is the MSE for an mse
 * loss, the MAE for l1). Add per batch, merge per partition (dimension-checked).
 *
 * @param classes        the number of classes (1 without classes)
 * @param confusion      classes x classes counts, row-major (one cell, the row count, without classes)
 * @param lossSum        sum of per-sample losses
 * @param classification whether predictions are classes
 */
public record EvalStats(int classes, long[] confusion, double lossSum, boolean classification) implements Serializable {

    public EvalStats {
        if (classes < 1 || confusion.length != (long) classes * classes) {
            throw new IllegalArgumentException("confusion matrix of " + confusion.length + " cells (expected: "
                    + classes + " x " + classes + ")");
        }
    }

    public static EvalStats empty(int classes) {
        return new EvalStats(classes, new long[classes * classes], 0, true);
    }

    /** An empty aggregate for a model without classes (regression, reconstruction). */
    public static EvalStats values() {
        return new EvalStats(1, new long[1], 0, false);
    }

    /** This aggregate plus one batch: predicted and true classes of {@code n} rows, and their mean loss. */
    public EvalStats add(int n, int[] predicted, float[] labels, int labelsOffset, double meanLoss) {
        long[] c = confusion.clone();
        if (!classification) {
            c[0] += n;
            return new EvalStats(classes, c, lossSum + meanLoss * n, false);
        }
        for (int r = 0; r < n; r++) {
            c[(int) labels[labelsOffset + r] * classes + predicted[r]]++;
        }
        return new EvalStats(classes, c, lossSum + meanLoss * n, true);
    }

    public EvalStats merge(EvalStats o) {
        if (o.classes != classes || o.classification != classification) {
            throw new IllegalArgumentException("cannot merge metrics over " + (classification ? classes : "no")
                    + " and " + (o.classification ? o.classes : "no") + " classes");
        }
        long[] c = confusion.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += o.confusion[i];
        }
        return new EvalStats(classes, c, lossSum + o.lossSum, classification);
    }

    public long count() {
        long n = 0;
        for (long v : confusion) {
            n += v;
        }
        return n;
    }

    public long correct() {
        long n = 0;
        for (int k = 0; k < classes; k++) {
            n += confusion[k * classes + k];
        }
        return n;
    }

    /** The share of rows predicted right; NaN without classes or rows. */
    public double accuracy() {
        long n = count();
        return n == 0 || !classification ? Double.NaN : (double) correct() / n;
    }

    /** Mean per-row loss: the log-loss for classification, e.g. the MSE for an mse loss. */
    public double meanLoss() {
        long n = count();
        return n == 0 ? Double.NaN : lossSum / n;
    }

    /** Precision of class k: true positives over predicted k (NaN when nothing was predicted k). */
    public double precision(int k) {
        long predicted = 0;
        for (int t = 0; t < classes; t++) {
            predicted += confusion[t * classes + k];
        }
        return predicted == 0 ? Double.NaN : (double) confusion[k * classes + k] / predicted;
    }

    /** Recall of class k: true positives over actual k (NaN when class k never occurs). */
    public double recall(int k) {
        long actual = 0;
        for (int p = 0; p < classes; p++) {
            actual += confusion[k * classes + p];
        }
        return actual == 0 ? Double.NaN : (double) confusion[k * classes + k] / actual;
    }

    public double f1(int k) {
        double p = precision(k);
        double r = recall(k);
        return p + r == 0 || Double.isNaN(p) || Double.isNaN(r) ? Double.NaN : 2 * p * r / (p + r);
    }

    /** Unweighted mean F1 over the classes that occur or are predicted. */
    public double macroF1() {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < classes; k++) {
            double f = f1(k);
            if (!Double.isNaN(f)) {
                sum += f;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * Flat metrics with a prefix ("test_"): accuracy, loss, macro F1, and per-class precision/recall/F1;
     * without classes, loss and samples only.
     */
    public Map<String, Object> toMap(String prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!classification) {
            m.put(prefix + "loss", finite(meanLoss()));
            m.put(prefix + "samples", count());
            return m;
        }
        m.put(prefix + "accuracy", accuracy());
        m.put(prefix + "loss", meanLoss());
        m.put(prefix + "samples", count());
        m.put(prefix + "macro_f1", finite(macroF1()));
        for (int k = 0; k < classes; k++) {
            m.put(prefix + "precision_" + k, finite(precision(k)));
            m.put(prefix + "recall_" + k, finite(recall(k)));
            m.put(prefix + "f1_" + k, finite(f1(k)));
        }
        return m;
    }

    /** The confusion matrix as nested lists (rows = true class). */
    public List<List<Long>> confusionRows() {
        List<List<Long>> rows = new ArrayList<>();
        for (int t = 0; t < classes; t++) {
            List<Long> row = new ArrayList<>();
            for (int p = 0; p < classes; p++) {
                row.add(confusion[t * classes + p]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
