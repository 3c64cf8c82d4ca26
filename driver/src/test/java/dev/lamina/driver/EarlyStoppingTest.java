package dev.lamina.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.worker.EvalStats;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

    /** Two samples of class 0: {@code correct} of them predicted right, mean loss {@code loss}. */
    private static EvalStats eval(int correct, double loss) {
        return EvalStats.empty(2).add(2, new int[] {correct > 0 ? 0 : 1, correct > 1 ? 0 : 1}, new float[] {0, 0}, 0, loss);
    }

    @Test
    void stopsAfterPatienceAndKeepsTheBestEpoch() {
        EarlyStopping s = new EarlyStopping(new EarlyStopping.Config("loss", 2, 0.01));
        s.observe(1, eval(1, 0.9), new float[] {1});
        s.observe(2, eval(1, 0.5), new float[] {2});
        assertFalse(s.shouldStop());
        s.observe(3, eval(1, 0.495), new float[] {3});   // within minDelta: not an improvement
        assertFalse(s.shouldStop());
        s.observe(4, eval(1, 0.7), new float[] {4});
        assertTrue(s.shouldStop());
        assertEquals(2, s.bestEpoch());
        assertArrayEquals(new float[] {2}, s.result(new float[] {4}));
    }

    @Test
    void accuracyIsMaximized() {
        EarlyStopping s = new EarlyStopping(new EarlyStopping.Config("accuracy", 1, 0));
        s.observe(1, eval(1, 0.1), new float[] {1});
        s.observe(2, eval(2, 0.9), new float[] {2});
        s.observe(3, eval(1, 0.05), new float[] {3});
        assertTrue(s.shouldStop());
        assertEquals(2, s.bestEpoch());
    }

    @Test
    void offKeepsTheLastParametersAndNeverStops() {
        EarlyStopping s = new EarlyStopping(EarlyStopping.Config.off());
        float[] last = {9};
        s.observe(1, eval(2, 0.1), new float[] {1});
        s.observe(2, eval(0, 5.0), last);
        assertFalse(s.shouldStop());
        assertSame(last, s.result(last));
    }

    @Test
    void badConfigIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EarlyStopping.Config("f1", 2, 0));
        assertTrue(e.getMessage().startsWith("training.earlyStopping.metric : f1"), e.getMessage());
    }
}
