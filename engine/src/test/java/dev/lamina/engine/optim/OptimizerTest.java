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

    /**
     * The mean of two gradients taken inside the update (SGD's fused pass, the default for the others)
     * gives bitwise the step from the materialized mean, over 5 steps of state, for every SGD variant
     * (plain, momentum, Nesterov, weight decay, clipping that scales) and for Adam, AdamW and RMSProp.
     */
    @Test
    void stepMeanOfTwoIsBitwiseTheStepFromTheMean() {
        int n = 1037;
        OptimizerConfig sgd = OptimizerConfig.defaults().withLearningRate(0.05);
        OptimizerConfig[] configs = {
            sgd, sgd.withMomentum(0.9), sgd.withMomentum(0.9).withNesterov(true),
            sgd.withMomentum(0.9).withWeightDecay(1e-3), sgd.withMomentum(0.9).withClipNorm(0.01),
            sgd.withType("adam"), sgd.withType("adamw").withWeightDecay(1e-2), sgd.withType("rmsprop").withClipNorm(0.01)
        };
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (OptimizerConfig config : configs) {
            Optimizer fused = config.create(n);
            Optimizer reference = config.create(n);
            float[] p1 = new float[n];
            for (int i = 0; i < n; i++) {
                p1[i] = (float) random.nextGaussian();
            }
            float[] p2 = p1.clone();
            float[] scratch = new float[n];
            for (int step = 0; step < 5; step++) {
                float[] a = new float[n];
                float[] b = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-4, 2)));
                    b[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-4, 2)));
                }
                float[] aSent = a.clone();
                float[] bSent = b.clone();
                float[] mean = new float[n];
                for (int i = 0; i < n; i++) {
                    mean[i] = (a[i] + b[i]) / 2f;
                }
                reference.step(p2, mean);
                fused.stepMeanOfTwo(p1, a, b, scratch);
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToRawIntBits(p2[i]), Float.floatToRawIntBits(p1[i]),
                            config.type() + " step " + step + " index " + i);
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(aSent, a, "the gradients are not changed");
                org.junit.jupiter.api.Assertions.assertArrayEquals(bSent, b, "the gradients are not changed");
            }
            assertEquals(5, fused.steps());
        }
    }
}
