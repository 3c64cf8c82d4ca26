package dev.lamina.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EvalStatsTest {

    @Test
    void confusionMatrixGivesPrecisionRecallF1() {
        // true:      0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        EvalStats s = EvalStats.empty(3).add(6, new int[] {0, 0, 1, 1, 2, 2}, new float[] {0, 0, 0, 1, 1, 2}, 0, 0.5);
        assertEquals(6, s.count());
        assertEquals(4.0 / 6, s.accuracy(), 1e-12);
        assertEquals(0.5, s.meanLoss(), 1e-12);
        assertEquals(1.0, s.precision(0), 1e-12);
        assertEquals(2.0 / 3, s.recall(0), 1e-12);
        assertEquals(0.5, s.precision(1), 1e-12);
        assertEquals(0.5, s.recall(1), 1e-12);
        assertEquals(0.5, s.f1(1), 1e-12);
        assertEquals(0.5, s.precision(2), 1e-12);
        assertEquals(1.0, s.recall(2), 1e-12);
    }

    @Test
    void mergeAddsAndChecksDimensions() {
        EvalStats a = EvalStats.empty(2).add(2, new int[] {0, 1}, new float[] {0, 0}, 0, 1.0);
        EvalStats b = EvalStats.empty(2).add(1, new int[] {1}, new float[] {1}, 0, 4.0);
        EvalStats m = a.merge(b);
        assertEquals(3, m.count());
        assertEquals(2, m.correct());
        assertEquals(2.0, m.meanLoss(), 1e-12);
        assertEquals(m.accuracy(), b.merge(a).accuracy());
        assertThrows(IllegalArgumentException.class, () -> a.merge(EvalStats.empty(3)));
    }
}
