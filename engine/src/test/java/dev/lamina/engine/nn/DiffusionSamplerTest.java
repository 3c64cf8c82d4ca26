package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.KernelProvider;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DiffusionSamplerTest {
    private static final DiffusionConfig CONFIG = new DiffusionConfig(20, 1e-3, 0.2, 2, 1, 0.1);

    /** A 1x1 convolution over [1 + 1 + 2, 3, 3]: predicted noise = 0.5 x (class-0 plane), whatever the image. */
    private static ModelSpec spec() {
        return ModelSpec.fromMap(Map.of("input", List.of(1, 3, 3), "diffusion", CONFIG.toMap(), "loss", "mse",
                "layers", List.of(Map.of("type", "conv2d", "filters", 1, "kernel", 1))));
    }

    private static float[] params(ModelSpec spec) {
        Model model = Model.of(spec);
        float[] p = new float[model.parameterCount()];
        for (ParameterView v : model.parameters()) {
            if (v.name().endsWith("weight")) {
                p[v.offset() + 2] = 0.5f;   // input channels: image, time, class 0, class 1
            }
        }
        return p;
    }

    @Test
    void specReadsTheImageAndTheConditionPlanes() {
        ModelSpec spec = spec();
        assertEquals(List.of(4, 3, 3), spec.inputShape());
        assertEquals(9, spec.inputSize());
        assertEquals(List.of(1, 3, 3), List.of(spec.dataShape().dim(0), spec.dataShape().dim(1), spec.dataShape().dim(2)));
        assertEquals(spec, ModelSpec.fromJson(spec.toJson()));
        assertEquals(spec.toJson(), ModelSpec.fromJson(spec.toJson()).toJson());
    }

    @Test
    void specRefusesWhatCannotBeADiffusionModel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(Map.of(
                "input", List.of(1, 3, 3), "diffusion", CONFIG.toMap(), "loss", "l1",
                "layers", List.of(Map.of("type", "conv2d", "filters", 1, "kernel", 1)))));
        assertTrue(e.getMessage().contains("expected: mse"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(Map.of(
                "input", List.of(1, 3, 3), "diffusion", CONFIG.toMap(), "loss", "mse",
                "layers", List.of(Map.of("type", "conv2d", "filters", 2, "kernel", 1)))));
        assertTrue(e.getMessage().contains("[2, 3, 3]") && e.getMessage().contains("predicted noise"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(Map.of(
                "input", List.of(9), "diffusion", CONFIG.toMap(), "loss", "mse",
                "layers", List.of(Map.of("type", "linear", "units", 9)))));
        assertTrue(e.getMessage().contains("[channels, height, width]"), e.getMessage());
    }

    @Test
    void timestepsAreEvenlySpacedAndIncludeBothEnds() {
        assertArrayEquals(new int[] {0, 5, 10, 14, 19}, DiffusionSampler.timesteps(20, 5));
        assertEquals(20, DiffusionSampler.timesteps(20, 50).length);
        assertArrayEquals(new int[] {19}, DiffusionSampler.timesteps(20, 1));
    }

    /** The sampler against the DDIM loop written out with the guided noise of the network above. */
    @Test
    void guidedDdimMatchesTheLoopWrittenOut() {
        ModelSpec spec = spec();
        int[] classes = {0, 1, NoiseSchedule.NO_CLASS};
        double guidance = 3.0;
        int steps = 7;
        float[] images = new DiffusionSampler(spec, params(spec), KernelProvider.kernels())
                .sample(classes, steps, guidance, 11);
        NoiseSchedule s = new NoiseSchedule(CONFIG);
        SplittableRandom random = new SplittableRandom(11);
        double[] x = new double[27];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        int[] t = DiffusionSampler.timesteps(20, steps);
        for (int k = t.length - 1; k >= 0; k--) {
            double ab = s.alphaBar(t[k]);
            double abPrev = k == 0 ? 1 : s.alphaBar(t[k - 1]);
            for (int i = 0; i < x.length; i++) {
                // Conditional noise 0.5 for class 0, unconditional 0: guided 0 + 3 (0.5 - 0).
                double eps = classes[i / 9] == 0 ? guidance * 0.5 : 0;
                double x0 = Math.max(-1, Math.min(1, (x[i] - Math.sqrt(1 - ab) * eps) / Math.sqrt(ab)));
                double e = (x[i] - Math.sqrt(ab) * x0) / Math.sqrt(1 - ab);
                x[i] = Math.sqrt(abPrev) * x0 + Math.sqrt(1 - abPrev) * e;
            }
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.max(0, Math.min(1, (x[i] + 1) / 2)), images[i], 1e-4, "pixel " + i);
        }
    }

    @Test
    void samplingIsSeededAndChecksItsArguments() {
        ModelSpec spec = spec();
        DiffusionSampler sampler = new DiffusionSampler(spec, params(spec), KernelProvider.kernels());
        assertArrayEquals(sampler.sample(new int[] {1, 0}, 5, 1.0, 4), sampler.sample(new int[] {1, 0}, 5, 1.0, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new int[] {2}, 5, 1.0, 4));
        assertEquals("class : 2 (expected: in [0, 2) or -1)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new int[] {0}, 5, -1, 4));
        assertThrows(IllegalArgumentException.class, () -> new DiffusionSampler(ModelSpec.mlp(4, 2), new float[10],
                KernelProvider.kernels()));
    }
}
