package dev.lamina.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OptimizerStateTest {
    private static final int SIZE = 37;

    private static OptimizerConfig config(String type) {
        OptimizerConfig c = OptimizerConfig.defaults().withLearningRate(0.01).withWeightDecay(0.01);
        return type.equals("sgd-plain") ? c.withMomentum(0) : c.withType(type);
    }

    private static float[] random(SplittableRandom rng) {
        float[] a = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "sgd-plain", "adam", "adamw", "rmsprop"})
    void restoredOptimizerTakesTheSameNextStepBitwise(String type) {
        SplittableRandom rng = new SplittableRandom(7);
        Optimizer source = config(type).create(SIZE);
        float[] params = random(rng);
        for (int s = 0; s < 5; s++) {
            source.step(params, random(rng));
        }
        float[][] saved = new float[source.state().length][];
        for (int i = 0; i < saved.length; i++) {
            saved[i] = source.state()[i].clone();
        }
        Optimizer restored = config(type).create(SIZE);
        restored.restore(source.steps(), saved);
        assertEquals(source.steps(), restored.steps());
        float[] copy = params.clone();
        float[] grads = random(rng);
        source.step(params, grads);
        restored.step(copy, grads);
        assertArrayEquals(params, copy);
        for (int i = 0; i < saved.length; i++) {
            assertArrayEquals(source.state()[i], restored.state()[i]);
        }
    }

    @Test
    void stateBuffersPerType() {
        assertEquals(1, config("sgd").create(SIZE).state().length);
        assertEquals(0, config("sgd-plain").create(SIZE).state().length);
        assertEquals(2, config("adam").create(SIZE).state().length);
        assertEquals(1, config("rmsprop").create(SIZE).state().length);
        assertEquals(SIZE, config("adamw").create(SIZE).state()[1].length);
    }

    @Test
    void restoreRejectsMismatchedStateNamingTheExpectation() {
        Optimizer adam = config("adam").create(SIZE);
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> adam.restore(1, new float[][] {new float[SIZE]}));
        assertTrue(count.getMessage().contains("state buffers : 1 (expected: 2)"), count.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> adam.restore(1, new float[][] {new float[SIZE], new float[3]}));
        assertTrue(length.getMessage().contains("state buffer 1 length : 3 (expected: " + SIZE + ")"), length.getMessage());
        assertThrows(IllegalArgumentException.class, () -> adam.restore(-1, new float[][] {new float[SIZE], new float[SIZE]}));
        assertEquals(0, adam.steps());
    }
}
