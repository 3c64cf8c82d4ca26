package dev.lamina.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** ROC AUC from the margin histogram against the exact pairwise count. */
class RocAucTest {

    /** Exact AUC: over all (positive, negative) pairs, 1 if the positive scores higher, 1/2 on a tie. */
    private static double exact(double[] margins, int[] labels) {
        double pairs = 0;
        long p = 0;
        long n = 0;
        for (int i = 0; i < margins.length; i++) {
            if (labels[i] == 1) {
                p++;
                for (int j = 0; j < margins.length; j++) {
                    if (labels[j] == 0) {
                        pairs += margins[i] > margins[j] ? 1 : margins[i] == margins[j] ? 0.5 : 0;
                    }
                }
            } else {
                n++;
            }
        }
        return pairs / (p * n);
    }

    /** Outputs [n, 2] with logit 0 zero and logit 1 the margin; predicted class from the margin's sign. */
    private static EvalStats stats(double[] margins, int[] labels, int batches) {
        EvalStats s = EvalStats.empty(2);
        int per = margins.length / batches;
        for (int b = 0; b < batches; b++) {
            EvalStats part = EvalStats.empty(2);
            float[] out = new float[2 * per + 2];
            float[] lab = new float[per];
            int[] pred = new int[per];
            for (int r = 0; r < per; r++) {
                int i = b * per + r;
                out[2 + 2 * r + 1] = (float) margins[i];
                lab[r] = labels[i];
                pred[r] = margins[i] > 0 ? 1 : 0;
            }
            s = s.merge(part.add(per, pred, lab, 0, 0.3, out, 2));
        }
        return s;
    }

    @Test
    void histogramAucMatchesThePairwiseCount() {
        Random random = new Random(7);
        for (double separation : new double[] {0, 0.5, 2, 6}) {
            int rows = 2000;
            double[] m = new double[rows];
            int[] y = new int[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = random.nextInt(10) < 3 ? 1 : 0;
                m[i] = random.nextGaussian() * 3 + (y[i] == 1 ? separation : -separation);
            }
            double want = exact(m, y);
            double got = stats(m, y, 4).rocAuc();
            // Ties only within a 1/128-logit bin: the error is far below a thousandth here.
            assertEquals(want, got, 1e-3, "separation " + separation);
        }
    }

    @Test
    void separatedReversedAndOneClass() {
        double[] m = {-3, -2, -1, 1, 2, 3};
        assertEquals(1.0, stats(m, new int[] {0, 0, 0, 1, 1, 1}, 1).rocAuc(), 1e-12);
        assertEquals(0.0, stats(m, new int[] {1, 1, 1, 0, 0, 0}, 1).rocAuc(), 1e-12);
        assertEquals(0.5, stats(new double[] {1, 1, 1, 1}, new int[] {0, 1, 0, 1}, 1).rocAuc(), 1e-12);
        assertTrue(Double.isNaN(stats(m, new int[] {1, 1, 1, 1, 1, 1}, 1).rocAuc()));
        // Beyond the histogram's range the ends are clamped, the order inside it kept.
        assertEquals(1.0, stats(new double[] {-1e6, -40, 40, 1e6}, new int[] {0, 0, 1, 1}, 1).rocAuc(), 1e-12);
        // Without outputs (per-class metrics only) there is no AUC, and more than two classes have none.
        assertTrue(Double.isNaN(EvalStats.empty(2).add(2, new int[] {0, 1}, new float[] {0, 1}, 0, 0.1).rocAuc()));
        assertTrue(Double.isNaN(EvalStats.empty(3).rocAuc()));
        assertEquals(null, EvalStats.empty(2).toMap("test_").get("test_roc_auc"));
        assertEquals(1.0, stats(m, new int[] {0, 0, 0, 1, 1, 1}, 1).toMap("test_").get("test_roc_auc"));
    }

    @Test
    void tokenStatsGivePerplexityAndBitsPerCharacter() {
        // 3 tokens, 2 right, mean loss ln(4) nats: perplexity 4, 2 bits per character.
        EvalStats s = EvalStats.tokens(128).add(3, new int[] {'a', 'b', 'c'}, new float[] {'a', 'b', 'x'}, 0, Math.log(4));
        EvalStats both = s.merge(s);
        assertEquals(6, both.count());
        assertEquals(2.0 / 3, both.accuracy(), 1e-12);
        assertEquals(4.0, both.perplexity(), 1e-9);
        assertEquals(2.0, both.bitsPerChar(), 1e-9);
        assertEquals(6L, both.toMap("test_").get("test_tokens"));
        assertEquals(2.0, (double) both.toMap("test_").get("test_bits_per_char"), 1e-9);
        assertTrue(Double.isNaN(EvalStats.empty(2).perplexity()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> EvalStats.tokens(2).merge(EvalStats.empty(2)));
    }
}
