package dev.lamina.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OptimizerTest {

    @Test
    void sgdMomentumMatchesHandComputation() {
        Optimizer opt = OptimizerConfig.defaults().withLearningRate(0.1).withMomentum(0.5).create(1);
        float[] p = {1f};
        opt.step(p, new float[] {2f});          // v = 2, p = 1 - 0.2 = 0.8
        assertEquals(0.8f, p[0], 1e-6f);
        opt.step(p, new float[] {2f});          // v = 1 + 2 = 3, p = 0.8 - 0.3 = 0.5
        assertEquals(0.5f, p[0], 1e-6f);
        assertEquals(2, opt.steps());
    }

    @Test
    void nesterovMatchesHandComputation() {
        Optimizer opt = OptimizerConfig.defaults().withLearningRate(0.1).withMomentum(0.5).withNesterov(true).create(1);
        float[] p = {1f};
        opt.step(p, new float[] {2f});          // v = 2, p -= 0.1 * (2 + 0.5 * 2) = 0.7
        assertEquals(0.7f, p[0], 1e-6f);
    }

    @Test
    void adamFirstStepMovesByLearningRate() {
        Optimizer opt = OptimizerConfig.defaults().withType("adam").withLearningRate(0.01).create(2);
        float[] p = {1f, -1f};
        opt.step(p, new float[] {5f, -0.001f});
        assertEquals(0.99f, p[0], 1e-5f);
        assertEquals(-0.99f, p[1], 1e-4f);
    }

    @Test
    void badHyperParametersNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerConfig.defaults().withLearningRate(-0.1));
        assertTrue(e.getMessage().startsWith("learningRate : -0.1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.defaults().withType("lbfgs"));
    }
}
