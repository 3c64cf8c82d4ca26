package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.CentralDifference.Values;
import dev.lamina.engine.kernel.ScalarKernels;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dropout: the mask is a function of (seed, step, element), the kept fraction is 1 - p within 4 standard
 * deviations, kept values are scaled by 1 / (1 - p), and the gradient uses the same mask.
 */
class DropoutTest {
    private static final int N = 20000;

    private static float[][] runTwice(long seed, float p) {
        Graph g = new Graph();
        Node x = g.param("x", Shape.of(4, N / 4));
        Node y = DropoutOps.dropout(g, x, p, seed);
        float[] ones = new float[N];
        Arrays.fill(ones, 1f);
        Plan plan = Plan.compile(ScalarKernels.INSTANCE, g, List.of(y), Map.of(x, new Tensor(x.shape(), ones, 0)));
        plan.run();
        float[] first = plan.tensor(y).toArray();
        plan.run();
        return new float[][] {first, plan.tensor(y).toArray()};
    }

    @Test
    void maskIsDeterministicPerSeedAndStepAndScaled() {
        float p = 0.3f;
        float[][] a = runTwice(42, p);
        float[][] b = runTwice(42, p);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        assertFalse(Arrays.equals(a[0], a[1]), "step 1 must draw a new mask");
        assertFalse(Arrays.equals(a[0], runTwice(43, p)[0]), "another seed must draw another mask");
        int kept = 0;
        for (float v : a[0]) {
            assertTrue(v == 0f || v == 1f / (1f - p), "value " + v);
            kept += v == 0f ? 0 : 1;
        }
        double expected = N * (1 - p);
        assertEquals(expected, kept, 4 * Math.sqrt(N * p * (1 - p)), "kept " + kept + " of " + N);
    }

    @Test
    void gradientUsesTheMask() {
        CentralDifference.check(ScalarKernels.INSTANCE, List.of(Shape.of(3, 7)),
                (g, x) -> DropoutOps.dropout(g, x.get(0), 0.4f, 7), Values.UNIFORM, 4);
    }

    @Test
    void rateOutsideRangeIsRefused() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(2, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DropoutOps.dropout(g, x, 1f, 0));
        assertTrue(e.getMessage().contains("1.0"), e.getMessage());
    }
}
