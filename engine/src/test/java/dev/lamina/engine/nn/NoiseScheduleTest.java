package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NoiseScheduleTest {
    private static final DiffusionConfig CONFIG = new DiffusionConfig(100, 1e-4, 0.02, 3, 5, 0.25);

    @Test
    void alphaBarIsTheProductOfOneMinusBeta() {
        NoiseSchedule s = new NoiseSchedule(CONFIG);
        double product = 1;
        for (int t = 0; t < 100; t++) {
            product *= 1 - (1e-4 + (0.02 - 1e-4) * t / 99.0);
            assertEquals(product, s.alphaBar(t), 1e-12, "t = " + t);
        }
        // The DDPM schedule leaves about 4e-5 of the signal at T = 1000.
        assertEquals(4.0358e-5, new NoiseSchedule(DiffusionConfig.defaults()).alphaBar(999), 1e-8);
    }

    @Test
    void conditionPlanesCarryTimeThenOneHotClass() {
        NoiseSchedule s = new NoiseSchedule(CONFIG);
        int plane = 4;
        float[] dst = new float[(5 + 3) * plane + 2];
        dst[dst.length - 1] = 42;
        s.condition(dst, 1, plane, 33, 2);
        for (int c = 0; c < 5; c++) {
            for (int p = 0; p < plane; p++) {
                assertEquals((float) s.timeValue(c, 33), dst[1 + c * plane + p]);
            }
        }
        assertEquals(2.0 * 33 / 99 - 1, s.timeValue(0, 33), 1e-12);
        assertEquals(Math.sin(Math.PI * 2 * 33 / 100), s.timeValue(3, 33), 1e-12);
        assertEquals(Math.cos(Math.PI * 2 * 33 / 100), s.timeValue(4, 33), 1e-12);
        for (int k = 0; k < 3; k++) {
            for (int p = 0; p < plane; p++) {
                assertEquals(k == 2 ? 1f : 0f, dst[1 + (5 + k) * plane + p]);
            }
        }
        assertEquals(42f, dst[dst.length - 1], "nothing written past the row");
        s.condition(dst, 1, plane, 33, NoiseSchedule.NO_CLASS);
        for (int i = 1 + 5 * plane; i < 1 + 8 * plane; i++) {
            assertEquals(0f, dst[i]);
        }
    }

    @Test
    void trainingRowIsTheNoisedImageAndItsNoise() {
        NoiseSchedule s = new NoiseSchedule(CONFIG);
        int pixels = 16;
        int width = (1 + 8) * pixels;
        SplittableRandom random = new SplittableRandom(3);
        float[] image = new float[pixels];
        for (int i = 0; i < pixels; i++) {
            image[i] = i / 15f;
        }
        int rows = 4000;
        int dropped = 0;
        double noiseSum = 0;
        double noiseSquares = 0;
        for (int r = 0; r < rows; r++) {
            float[] input = new float[width];
            float[] noise = new float[pixels];
            s.trainingRow(image, 0, 1, pixels, 1, random, input, 0, noise, 0);
            // The step is in the first time plane: 2t / (T - 1) - 1.
            int t = (int) Math.round((input[pixels] + 1) * 99 / 2);
            double a = Math.sqrt(s.alphaBar(t));
            double b = Math.sqrt(1 - s.alphaBar(t));
            for (int i = 0; i < pixels; i++) {
                assertEquals(a * (2 * image[i] - 1) + b * noise[i], input[i], 1e-5, "row " + r + " pixel " + i);
                noiseSum += noise[i];
                noiseSquares += noise[i] * noise[i];
            }
            float classPlane = input[(1 + 5 + 1) * pixels];
            dropped += classPlane == 0f ? 1 : 0;
        }
        double n = (double) rows * pixels;
        assertEquals(0, noiseSum / n, 0.01, "noise mean");
        assertEquals(1, noiseSquares / n, 0.02, "noise variance");
        assertEquals(0.25, dropped / (double) rows, 0.03, "share of rows without their class");
    }

    @Test
    void ddimStepWithTheTrueNoiseLandsOnTheImage() {
        NoiseSchedule s = new NoiseSchedule(CONFIG);
        float[] x0 = {-0.9f, -0.2f, 0f, 0.5f, 0.99f};
        float[] eps = {0.3f, -1.2f, 2f, 0.1f, -0.7f};
        int t = 80;
        float[] x = new float[5];
        for (int i = 0; i < 5; i++) {
            x[i] = (float) (Math.sqrt(s.alphaBar(t)) * x0[i] + Math.sqrt(1 - s.alphaBar(t)) * eps[i]);
        }
        float[] toPrev = x.clone();
        s.ddimStep(toPrev, 0, 5, eps, 0, t, 40);
        s.ddimStep(x, 0, 5, eps, 0, t, -1);
        for (int i = 0; i < 5; i++) {
            assertEquals(x0[i], x[i], 2e-5, "x0[" + i + "]");
            // To an earlier step: the same image under less of the same noise.
            assertEquals(Math.sqrt(s.alphaBar(40)) * x0[i] + Math.sqrt(1 - s.alphaBar(40)) * eps[i], toPrev[i], 2e-5);
        }
    }

    @Test
    void velocityTargetsAndTheirDdimStepAgree() {
        DiffusionConfig v = new DiffusionConfig(100, 1e-4, 0.02, 3, 5, 0.0, "v");
        NoiseSchedule s = new NoiseSchedule(v);
        int pixels = 6;
        float[] image = {0f, 0.1f, 0.4f, 0.5f, 0.9f, 1f};
        float[] input = new float[(1 + 8) * pixels];
        float[] target = new float[pixels];
        s.trainingRow(image, 0, 1, pixels, 0, new SplittableRandom(5), input, 0, target, 0);
        int t = (int) Math.round((input[pixels] + 1) * 99 / 2);
        double a = Math.sqrt(s.alphaBar(t));
        double b = Math.sqrt(1 - s.alphaBar(t));
        float[] x = java.util.Arrays.copyOf(input, pixels);
        for (int i = 0; i < pixels; i++) {
            // x_t = a x0 + b e and v = a e - b x0, so a x_t - b v = x0 and b x_t + a v = e.
            double x0 = 2 * image[i] - 1;
            double e = b * x[i] + a * target[i];
            assertEquals(a * x0 + b * e, x[i], 1e-5);
        }
        s.ddimStep(x, 0, pixels, target, 0, t, -1);
        for (int i = 0; i < pixels; i++) {
            assertEquals(2 * image[i] - 1, x[i], 2e-5, "x0[" + i + "]");
        }
    }

    @Test
    void configIsValidatedAndRoundTrips() {
        assertEquals(CONFIG, DiffusionConfig.fromMap(CONFIG.toMap()));
        assertEquals(DiffusionConfig.defaults(), DiffusionConfig.fromMap(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionConfig.fromMap(Map.of("betaEnd", 1.5)));
        assertEquals("diffusion.betaEnd : 1.5 (expected: in [betaStart = 1.0E-4, 1))", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DiffusionConfig.fromMap(Map.of("stepz", 4)));
        assertTrue(e.getMessage().startsWith("diffusion.stepz : unknown key"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DiffusionConfig(1, 1e-4, 0.02, 10, 7, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new DiffusionConfig(10, 1e-4, 0.02, 10, 7, 1.0));
        assertTrue(List.of(CONFIG.conditionChannels()).contains(8));
        DiffusionConfig v = new DiffusionConfig(100, 1e-4, 0.02, 3, 5, 0.25, "v");
        assertEquals(v, DiffusionConfig.fromMap(v.toMap()));
        e = assertThrows(IllegalArgumentException.class, () -> DiffusionConfig.fromMap(Map.of("prediction", "x0")));
        assertEquals("diffusion.prediction : x0 (expected: one of [eps, v])", e.getMessage());
    }
}
