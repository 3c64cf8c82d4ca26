package dev.lamina.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleAndClippingTest {

    @Test
    void warmupRisesLinearlyThenStepDecays() {
        ScheduleConfig s = new ScheduleConfig("step", 3, 10, 0.5, 0, 0);
        assertEquals(0.25, s.factor(0), 1e-12);
        assertEquals(0.75, s.factor(2), 1e-12);
        assertEquals(1.0, s.factor(3), 1e-12);
        assertEquals(1.0, s.factor(12), 1e-12);
        assertEquals(0.5, s.factor(13), 1e-12);
        assertEquals(0.25, s.factor(23), 1e-12);
    }

    @Test
    void cosineGoesFromOneToMinFactor() {
        ScheduleConfig s = new ScheduleConfig("cosine", 0, 1, 1, 100, 0.1);
        assertEquals(1.0, s.factor(0), 1e-12);
        assertEquals(0.55, s.factor(50), 1e-12);
        assertEquals(0.1, s.factor(100), 1e-12);
        assertEquals(0.1, s.factor(500), 1e-12);
    }

    @Test
    void badScheduleIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ScheduleConfig("linear-ish", 0, 1, 1, 0, 0));
        assertTrue(e.getMessage().startsWith("schedule : linear-ish"), e.getMessage());
    }

    @Test
    void clippingScalesToTheThreshold() {
        float[] g = {3f, 4f};
        assertEquals(0.5f, Clipping.scale(g, 2.5), 1e-7f);
        assertEquals(1f, Clipping.scale(g, 10), 0f);
        assertEquals(1f, Clipping.scale(g, 0), 0f);
        Optimizer sgd = OptimizerConfig.defaults().withMomentum(0).withLearningRate(1).withClipNorm(1).create(2);
        float[] p = {0f, 0f};
        sgd.step(p, g);
        assertEquals(-0.6f, p[0], 1e-6f);
        assertEquals(-0.8f, p[1], 1e-6f);
    }

    @Test
    void adamwDecaysDecoupledFromTheGradient() {
        OptimizerConfig base = OptimizerConfig.defaults().withLearningRate(0.1).withWeightDecay(0.5);
        Optimizer adamw = base.withType("adamw").create(1);
        float[] p = {2f};
        adamw.step(p, new float[] {0f});
        // p = 2 * (1 - 0.1 * 0.5) = 1.9, and a zero gradient moves nothing more.
        assertEquals(1.9f, p[0], 1e-6f);
        Optimizer adam = base.withType("adam").create(1);
        float[] q = {2f};
        adam.step(q, new float[] {0f});
        // coupled: g' = 0.5 * 2 = 1, first Adam step moves by lr.
        assertEquals(1.9f, q[0], 1e-5f);
        adam.step(q, new float[] {0f});
        adamw.step(p, new float[] {0f});
        assertTrue(p[0] != q[0], "adam and adamw must differ after two steps: " + p[0] + " vs " + q[0]);
    }

    @Test
    void rmspropFirstStepMatchesFormula() {
        Optimizer rms = OptimizerConfig.defaults().withType("rmsprop").withLearningRate(0.01).withBetas(0.9, 0.99)
                .create(1);
        float[] p = {1f};
        rms.step(p, new float[] {2f});
        double v = 0.01 * 4;
        assertEquals(1 - 0.01 * 2 / (Math.sqrt(v) + 1e-8), p[0], 1e-6);
    }

    @Test
    void scheduleDrivesTheLearningRate() {
        Optimizer sgd = OptimizerConfig.defaults().withMomentum(0).withLearningRate(1)
                .withSchedule(new ScheduleConfig("constant", 1, 1, 1, 0, 0)).create(1);
        float[] p = {0f};
        sgd.step(p, new float[] {1f});
        assertEquals(-0.5f, p[0], 1e-7f);
        sgd.step(p, new float[] {1f});
        assertEquals(-1.5f, p[0], 1e-7f);
    }
}
