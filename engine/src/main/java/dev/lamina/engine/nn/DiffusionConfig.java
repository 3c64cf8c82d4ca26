package dev.lamina.engine.nn;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A class-conditional denoising diffusion model (DDPM, Ho et al. 2020) over [C, H, W] images with
 * pixels in [0, 1] (scaled to [-1, 1] inside), noised at a random step t of a linear beta schedule. The
 * network reads the noisy image and, as constant planes, the step
 * ({@code timeChannels}: t scaled to [-1, 1], then sin/cos pairs of doubling frequency) and the class
 * (one-hot over {@code classes}; all zeros for "no class", which a share {@code labelDropout} of the
 * training rows get, so that sampling can use classifier-free guidance). The network predicts the
 * noise e ({@code eps}) or the velocity v = sqrt(ab) e - sqrt(1 - ab) x0 ({@code v}, Salimans and Ho
 * 2022): the same noise-prediction error weighted by 1 + 1/SNR, so the noisy steps, where the class
 * decides what the image becomes, count as much as the clean ones.
 *
 * @param steps        diffusion steps T, >= 2
 * @param betaStart    the first step's noise variance, in (0, 1)
 * @param betaEnd      the last step's, in [betaStart, 1)
 * @param classes      the number of classes conditioned on, >= 1
 * @param timeChannels input planes carrying the step, >= 1
 * @param labelDropout the share of training rows without their class, in [0, 1)
 * @param prediction   what the network outputs: {@code eps} (the noise) or {@code v} (the velocity)
 */
public record DiffusionConfig(int steps, double betaStart, double betaEnd, int classes, int timeChannels,
                              double labelDropout, String prediction) implements Serializable {
    public static final List<String> PREDICTIONS = List.of("eps", "v");

    public DiffusionConfig {
        if (steps < 2) {
            throw new IllegalArgumentException("diffusion.steps : " + steps + " (expected: >= 2)");
        }
        if (!(betaStart > 0 && betaStart < 1)) {
            throw new IllegalArgumentException("diffusion.betaStart : " + betaStart + " (expected: in (0, 1))");
        }
        if (!(betaEnd >= betaStart && betaEnd < 1)) {
            throw new IllegalArgumentException("diffusion.betaEnd : " + betaEnd + " (expected: in [betaStart = "
                    + betaStart + ", 1))");
        }
        if (classes < 1) {
            throw new IllegalArgumentException("diffusion.classes : " + classes + " (expected: >= 1)");
        }
        if (timeChannels < 1) {
            throw new IllegalArgumentException("diffusion.timeChannels : " + timeChannels + " (expected: >= 1)");
        }
        if (!(labelDropout >= 0 && labelDropout < 1)) {
            throw new IllegalArgumentException("diffusion.labelDropout : " + labelDropout + " (expected: in [0, 1))");
        }
        if (!PREDICTIONS.contains(prediction)) {
            throw new IllegalArgumentException("diffusion.prediction : " + prediction + " (expected: one of " + PREDICTIONS
                    + ")");
        }
    }

    /** Predicting the noise. */
    public DiffusionConfig(int steps, double betaStart, double betaEnd, int classes, int timeChannels,
                           double labelDropout) {
        this(steps, betaStart, betaEnd, classes, timeChannels, labelDropout, "eps");
    }

    /** Whether the network predicts the velocity v rather than the noise. */
    public boolean predictsVelocity() {
        return prediction.equals("v");
    }

    /** 1,000 steps from 1e-4 to 0.02 (the DDPM paper's), 10 classes, 7 time planes, 10% of rows unlabelled, noise predicted. */
    public static DiffusionConfig defaults() {
        return new DiffusionConfig(1000, 1e-4, 0.02, 10, 7, 0.1);
    }

    /** The planes the network reads besides the image: time, then class. */
    public int conditionChannels() {
        return timeChannels + classes;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", (long) steps);
        m.put("betaStart", betaStart);
        m.put("betaEnd", betaEnd);
        m.put("classes", (long) classes);
        m.put("timeChannels", (long) timeChannels);
        m.put("labelDropout", labelDropout);
        m.put("prediction", prediction);
        return m;
    }

    /** Reads the map form; missing keys take {@link #defaults()}. */
    public static DiffusionConfig fromMap(Map<String, ?> m) {
        try {
            return read(m);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw new IllegalArgumentException(msg.startsWith("diffusion.") ? msg : "diffusion." + msg, e);
        }
    }

    private static DiffusionConfig read(Map<String, ?> m) {
        ModelSpec.onlyKeys(m, "steps", "betaStart", "betaEnd", "classes", "timeChannels", "labelDropout", "prediction");
        DiffusionConfig d = defaults();
        return new DiffusionConfig(m.containsKey("steps") ? ModelSpec.intValue(m, "steps") : d.steps,
                number(m, "betaStart", d.betaStart), number(m, "betaEnd", d.betaEnd),
                m.containsKey("classes") ? ModelSpec.intValue(m, "classes") : d.classes,
                m.containsKey("timeChannels") ? ModelSpec.intValue(m, "timeChannels") : d.timeChannels,
                number(m, "labelDropout", d.labelDropout),
                m.containsKey("prediction") ? String.valueOf(m.get("prediction")) : d.prediction);
    }

    private static double number(Map<String, ?> m, String key, double otherwise) {
        Object v = m.containsKey(key) ? m.get(key) : otherwise;
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("diffusion." + key + " : " + v + " (expected: a finite number)");
    }
}
