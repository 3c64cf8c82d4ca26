package dev.lamina.worker;

import dev.lamina.engine.nn.ModelSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation metrics as a mergeable aggregate: for classification, a confusion matrix (rows = true
 * class, columns = predicted class) and the summed log-loss; for two classes also a histogram of
 * the score margin (logit of class 1 minus logit of class 0) per true class, from which the ROC AUC
 * follows; for a language model ({@link #tokens()}) the same counts per predicted token, so the mean
 * loss is the mean negative log-likelihood per token; for regression and reconstruction
 * ({@link #values()}), the row count and the summed loss (so the mean loss is the MSE for an mse
 * loss, the MAE for l1). Add per batch, merge per partition (dimension-checked).
 *
 * @param classes        the number of classes (the vocabulary for tokens; 1 without classes)
 * @param confusion      classes x classes counts, row-major (one cell, the row count, without classes)
 * @param lossSum        sum of per-sample (per-token) losses
 * @param classification whether predictions are classes (or tokens)
 * @param tokens         whether the samples are next-token predictions of a language model
 * @param margins        for two classes: {@link #MARGIN_BINS} counts of the margin for true class 0,
 *                       then as many for true class 1; empty otherwise
 */
public record EvalStats(int classes, long[] confusion, double lossSum, boolean classification, boolean tokens,
                        long[] margins) implements Serializable {
    /** Bins of the margin histogram: width {@link #MARGIN_STEP} over [-MARGIN_RANGE, MARGIN_RANGE), ends clamped. */
    public static final int MARGIN_BINS = 8192;
    static final double MARGIN_RANGE = 32;
    static final double MARGIN_STEP = 2 * MARGIN_RANGE / MARGIN_BINS;

    public EvalStats {
        if (classes < 1 || confusion.length != (long) classes * classes) {
            throw new IllegalArgumentException("confusion matrix of " + confusion.length + " cells (expected: "
                    + classes + " x " + classes + ")");
        }
        if (margins.length != (binary(classes, classification, tokens) ? 2 * MARGIN_BINS : 0)) {
            throw new IllegalArgumentException("margin histogram of " + margins.length + " bins for " + classes
                    + " classes (expected: " + 2 * MARGIN_BINS + " for two classes, else 0)");
        }
    }

    /** Classification or regression counts, with an empty margin histogram for two classes. */
    public EvalStats(int classes, long[] confusion, double lossSum, boolean classification) {
        this(classes, confusion, lossSum, classification, false,
                new long[binary(classes, classification, false) ? 2 * MARGIN_BINS : 0]);
    }

    private static boolean binary(int classes, boolean classification, boolean tokens) {
        return classes == 2 && classification && !tokens;
    }

    public static EvalStats empty(int classes) {
        return new EvalStats(classes, new long[classes * classes], 0, true);
    }

    /** An empty aggregate for a model without classes (regression, reconstruction). */
    public static EvalStats values() {
        return new EvalStats(1, new long[1], 0, false);
    }

    /** An empty aggregate for a language model over {@code vocab} token ids. */
    public static EvalStats tokens(int vocab) {
        return new EvalStats(vocab, new long[vocab * vocab], 0, true, true, new long[0]);
    }

    /** The empty aggregate for what {@code spec} is trained on. */
    public static EvalStats zero(ModelSpec spec) {
        return switch (Targets.of(spec)) {
            case CLASSES -> empty(spec.classes());
            case NEXT_TOKENS -> tokens(spec.classes());
            case VALUES, INPUT, NOISE -> values();
        };
    }

    /**
     * This aggregate plus one batch: predicted and true classes of {@code n} rows (tokens, for a
     * language model), and their mean loss.
     */
    public EvalStats add(int n, int[] predicted, float[] labels, int labelsOffset, double meanLoss) {
        return add(n, predicted, labels, labelsOffset, meanLoss, null, 0);
    }

    /**
     * As {@link #add(int, int[], float[], int, double)}, with the model's outputs [n, 2] (logits or
     * log-probabilities) from {@code outputOffset} for the ROC histogram of a two-class model.
     */
    public EvalStats add(int n, int[] predicted, float[] labels, int labelsOffset, double meanLoss, float[] outputs,
                         int outputOffset) {
        long[] c = confusion.clone();
        if (!classification) {
            c[0] += n;
            return new EvalStats(classes, c, lossSum + meanLoss * n, false);
        }
        for (int r = 0; r < n; r++) {
            c[(int) labels[labelsOffset + r] * classes + predicted[r]]++;
        }
        long[] m = margins;
        if (outputs != null && margins.length > 0) {
            m = margins.clone();
            for (int r = 0; r < n; r++) {
                double margin = outputs[outputOffset + 2 * r + 1] - outputs[outputOffset + 2 * r];
                m[(int) labels[labelsOffset + r] * MARGIN_BINS + marginBin(margin)]++;
            }
        }
        return new EvalStats(classes, c, lossSum + meanLoss * n, true, tokens, m);
    }

    /** The histogram bin of a margin (NaN counts as the lowest bin; it never reaches here from a finite model). */
    static int marginBin(double margin) {
        double b = Math.floor((margin + MARGIN_RANGE) / MARGIN_STEP);
        return b >= MARGIN_BINS ? MARGIN_BINS - 1 : b > 0 ? (int) b : 0;
    }

    public EvalStats merge(EvalStats o) {
        if (o.classes != classes || o.classification != classification) {
            throw new IllegalArgumentException("cannot merge metrics over " + (classification ? classes : "no")
                    + " and " + (o.classification ? o.classes : "no") + " classes");
        }
        if (o.tokens != tokens) {
            throw new IllegalArgumentException("cannot merge token metrics with per-row metrics");
        }
        long[] c = confusion.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += o.confusion[i];
        }
        long[] m = margins.clone();
        for (int i = 0; i < m.length; i++) {
            m[i] += o.margins[i];
        }
        return new EvalStats(classes, c, lossSum + o.lossSum, classification, tokens, m);
    }

    /**
     * The area under the ROC curve of a two-class model, from the margin histogram: the chance that a
     * random row of class 1 scores above a random row of class 0, ties (the same bin, 1/128 of a logit
     * wide) counted half. NaN without two classes, without recorded outputs, or when a class is absent.
     */
    public double rocAuc() {
        if (margins.length == 0) {
            return Double.NaN;
        }
        long negatives = 0;
        long positives = 0;
        for (int b = 0; b < MARGIN_BINS; b++) {
            negatives += margins[b];
            positives += margins[MARGIN_BINS + b];
        }
        if (negatives == 0 || positives == 0) {
            return Double.NaN;
        }
        double pairs = 0;
        long negativesBelow = 0;
        for (int b = 0; b < MARGIN_BINS; b++) {
            long neg = margins[b];
            long pos = margins[MARGIN_BINS + b];
            pairs += pos * (negativesBelow + 0.5 * neg);
            negativesBelow += neg;
        }
        return pairs / ((double) positives * negatives);
    }

    /** For a language model: e to the mean loss per token (NaN for other models or without tokens). */
    public double perplexity() {
        return tokens ? Math.exp(meanLoss()) : Double.NaN;
    }

    /**
     * For a language model over characters: the mean loss per token in bits (the tokens are characters,
     * so this is bits per character; NaN for other models or without tokens).
     */
    public double bitsPerChar() {
        return tokens ? meanLoss() / Math.log(2) : Double.NaN;
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
     * Flat metrics with a prefix ("test_"): accuracy, loss, macro F1, ROC AUC for two classes, and
     * per-class precision/recall/F1; without classes, loss and samples only; for a language model,
     * token accuracy, loss, tokens, perplexity and bits per character.
     */
    public Map<String, Object> toMap(String prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!classification) {
            m.put(prefix + "loss", finite(meanLoss()));
            m.put(prefix + "samples", count());
            return m;
        }
        if (tokens) {
            m.put(prefix + "accuracy", finite(accuracy()));
            m.put(prefix + "loss", finite(meanLoss()));
            m.put(prefix + "tokens", count());
            m.put(prefix + "perplexity", finite(perplexity()));
            m.put(prefix + "bits_per_char", finite(bitsPerChar()));
            return m;
        }
        m.put(prefix + "accuracy", accuracy());
        m.put(prefix + "loss", meanLoss());
        m.put(prefix + "samples", count());
        m.put(prefix + "macro_f1", finite(macroF1()));
        if (margins.length > 0) {
            m.put(prefix + "roc_auc", finite(rocAuc()));
        }
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
