package dev.lamina.engine.nn;

import dev.lamina.engine.kernel.Kernels;
import java.util.SplittableRandom;

/**
 * Draws images from a trained diffusion model with DDIM (eta = 0) over {@code steps} evenly spaced
 * steps of its schedule and classifier-free guidance: the prediction (noise or velocity) is
 * p_uncond + guidance (p_cond - p_uncond), both from one forward pass over twice the rows
 * (guidance 1 is plain conditional sampling and needs only the conditional rows).
 */
public final class DiffusionSampler {
    private final ModelSpec spec;
    private final NoiseSchedule schedule;
    private final Model model;
    private final float[] params;
    private final Kernels kernels;

    public DiffusionSampler(ModelSpec spec, float[] params, Kernels kernels) {
        if (!spec.isDiffusion()) {
            throw new IllegalArgumentException("model with loss " + spec.loss() + " (expected: a diffusion model)");
        }
        this.spec = spec;
        this.schedule = new NoiseSchedule(spec.diffusion());
        this.model = Model.of(spec);
        if (params.length != model.parameterCount()) {
            throw new IllegalArgumentException("parameters : " + params.length + " (expected: " + model.parameterCount() + ")");
        }
        this.params = params;
        this.kernels = kernels;
    }

    /** The steps of the schedule a sampler of {@code count} steps visits, ascending (0 and T - 1 included). */
    public static int[] timesteps(int total, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("sampling steps : " + count + " (expected: >= 1)");
        }
        int n = Math.min(count, total);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = n == 1 ? total - 1 : (int) Math.round((double) i * (total - 1) / (n - 1));
        }
        return t;
    }

    /**
     * Samples one image per entry of {@code classes} (a class index, or {@link NoiseSchedule#NO_CLASS});
     * returns them [n, C*H*W] row-major with pixels in [0, 1]. The starting noise comes from {@code seed}.
     */
    public float[] sample(int[] classes, int steps, double guidance, long seed) {
        if (!(guidance >= 0) || !Double.isFinite(guidance)) {
            throw new IllegalArgumentException("guidance : " + guidance + " (expected: a finite number >= 0)");
        }
        int n = classes.length;
        for (int c : classes) {
            if (c != NoiseSchedule.NO_CLASS && (c < 0 || c >= spec.diffusion().classes())) {
                throw new IllegalArgumentException("class : " + c + " (expected: in [0, " + spec.diffusion().classes()
                        + ") or " + NoiseSchedule.NO_CLASS + ")");
            }
        }
        int size = spec.inputSize();
        int channels = spec.dataShape().dim(0);
        int plane = size / channels;
        int width = spec.input().size();
        boolean guided = guidance != 1;
        int rows = guided ? 2 * n : n;
        ForwardStep step = model.forwardStep(rows, params, kernels);
        float[] in = step.features().data();
        int inOff = step.features().offset();
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] eps = new float[n * size];
        int[] t = timesteps(spec.diffusion().steps(), steps);
        for (int s = t.length - 1; s >= 0; s--) {
            for (int r = 0; r < n; r++) {
                writeRow(in, inOff + r * width, x, r * size, size, plane, t[s], classes[r]);
                if (guided) {
                    writeRow(in, inOff + (n + r) * width, x, r * size, size, plane, t[s], NoiseSchedule.NO_CLASS);
                }
            }
            step.run();
            float[] out = step.output().data();
            int outOff = step.output().offset();
            for (int i = 0; i < n * size; i++) {
                float cond = out[outOff + i];
                eps[i] = guided ? (float) (out[outOff + n * size + i] * (1 - guidance) + guidance * cond) : cond;
            }
            for (int r = 0; r < n; r++) {
                schedule.ddimStep(x, r * size, size, eps, r * size, t[s], s == 0 ? -1 : t[s - 1]);
            }
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(0f, Math.min(1f, (x[i] + 1) / 2));
        }
        return x;
    }

    private void writeRow(float[] in, int off, float[] x, int xOff, int size, int plane, int t, int cls) {
        System.arraycopy(x, xOff, in, off, size);
        schedule.condition(in, off + size, plane, t, cls);
    }
}
