package dev.lamina.engine.nn;

import java.util.SplittableRandom;

/**
 * The arithmetic of a {@link DiffusionConfig}: the cumulative signal share alpha-bar(t) of the linear
 * beta schedule, the network input for a step and class, the noised training row (x_t and the noise
 * it must predict) and the deterministic DDIM update (Song et al. 2021, eta = 0) that sampling uses.
 * Images are [C, H, W] row-major; data pixels are in [0, 1], model pixels in [-1, 1].
 */
public final class NoiseSchedule {
    /** The class index meaning "no class" (all class planes zero). */
    public static final int NO_CLASS = -1;

    private final DiffusionConfig config;
    private final double[] alphaBar;

    public NoiseSchedule(DiffusionConfig config) {
        this.config = config;
        int steps = config.steps();
        alphaBar = new double[steps];
        double product = 1;
        for (int t = 0; t < steps; t++) {
            double beta = config.betaStart() + (config.betaEnd() - config.betaStart()) * t / (steps - 1);
            product *= 1 - beta;
            alphaBar[t] = product;
        }
    }

    public DiffusionConfig config() {
        return config;
    }

    /** The share of signal variance left after step t: prod over s <= t of (1 - beta_s). */
    public double alphaBar(int t) {
        return alphaBar[t];
    }

    /**
     * The value of time plane {@code c} at step {@code t}: plane 0 is t scaled to [-1, 1]; planes
     * 2k+1 and 2k+2 are sin and cos of pi 2^k t / T.
     */
    public double timeValue(int c, int t) {
        if (c == 0) {
            return 2.0 * t / (config.steps() - 1) - 1;
        }
        int k = (c - 1) / 2;
        double angle = Math.PI * Math.scalb(1.0, k) * t / config.steps();
        return (c - 1) % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
    }

    /**
     * Writes the condition planes of one row at {@code dst[off..]}: {@code timeChannels} planes of
     * {@code pixels} values for step t, then one plane per class (1 for {@code cls}, else 0;
     * {@link #NO_CLASS} leaves them all 0).
     */
    public void condition(float[] dst, int off, int pixels, int t, int cls) {
        int p = off;
        for (int c = 0; c < config.timeChannels(); c++, p += pixels) {
            java.util.Arrays.fill(dst, p, p + pixels, (float) timeValue(c, t));
        }
        for (int k = 0; k < config.classes(); k++, p += pixels) {
            java.util.Arrays.fill(dst, p, p + pixels, k == cls ? 1f : 0f);
        }
    }

    /**
     * One training row: picks t uniformly, noise e ~ N(0, 1) per pixel and (with probability
     * labelDropout) drops the class; writes the network input [x_t, condition planes] at
     * {@code input[inOff..]} and the target at {@code target[targetOff..]}: e, or for velocity
     * prediction v = sqrt(ab) e - sqrt(1 - ab) x0. {@code image} holds {@code channels * planeSize}
     * pixels in [0, 1].
     */
    public void trainingRow(float[] image, int imageOff, int channels, int planeSize, int cls, SplittableRandom random,
                            float[] input, int inOff, float[] target, int targetOff) {
        int size = channels * planeSize;
        int t = random.nextInt(config.steps());
        boolean drop = config.labelDropout() > 0 && random.nextDouble() < config.labelDropout();
        float signal = (float) Math.sqrt(alphaBar[t]);
        float sigma = (float) Math.sqrt(1 - alphaBar[t]);
        boolean velocity = config.predictsVelocity();
        for (int i = 0; i < size; i++) {
            float e = (float) random.nextGaussian();
            float x0 = 2 * image[imageOff + i] - 1;
            target[targetOff + i] = velocity ? signal * e - sigma * x0 : e;
            input[inOff + i] = signal * x0 + sigma * e;
        }
        condition(input, inOff + size, planeSize, t, drop ? NO_CLASS : cls);
    }

    /**
     * The DDIM step from t to the earlier step {@code prev} (-1: to the clean image) for one image:
     * x0 = (x_t - sqrt(1 - ab_t) e) / sqrt(ab_t) (for velocity prediction x0 = sqrt(ab_t) x_t -
     * sqrt(1 - ab_t) v), clipped to [-1, 1], then x_prev = sqrt(ab_prev) x0 + sqrt(1 - ab_prev) e',
     * with e' the noise consistent with the clipped x0. Updates {@code x[off..off+size)} in place from
     * the network's prediction {@code pred[predOff..]} (e or v, as the config says).
     */
    public void ddimStep(float[] x, int off, int size, float[] pred, int predOff, int t, int prev) {
        double ab = alphaBar[t];
        double abPrev = prev < 0 ? 1 : alphaBar[prev];
        double sa = Math.sqrt(ab);
        double sn = Math.sqrt(1 - ab);
        double sPrev = Math.sqrt(abPrev);
        double nPrev = Math.sqrt(1 - abPrev);
        boolean velocity = config.predictsVelocity();
        for (int i = 0; i < size; i++) {
            double xt = x[off + i];
            double p = pred[predOff + i];
            double x0 = Math.max(-1, Math.min(1, velocity ? sa * xt - sn * p : (xt - sn * p) / sa));
            double e = (xt - sa * x0) / sn;
            x[off + i] = (float) (sPrev * x0 + nPrev * e);
        }
    }
}
