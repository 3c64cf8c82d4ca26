package dev.lamina.engine.optim;

import java.io.Serializable;
import java.util.Locale;

/**
 * A learning-rate schedule: a factor applied to the base learning rate at each step (counted from 0).
 * A linear warm-up from 0 over {@code warmupSteps} comes first for every type.
 *
 * @param type        {@code constant}, {@code step} (multiply by gamma every stepSize steps) or
 *                    {@code cosine} (from 1 down to minFactor over totalSteps, after warm-up)
 * @param warmupSteps linear warm-up length, >= 0
 * @param stepSize    for {@code step}: steps between decays, >= 1
 * @param gamma       for {@code step}: the decay factor in (0, 1]
 * @param totalSteps  for {@code cosine}: the length of the schedule, >= 1 (0 = unknown yet: the
 *                    trainer fills it in from epochs x steps per epoch with {@link #withTotalSteps})
 * @param minFactor   for {@code cosine}: the final factor in [0, 1]
 */
public record ScheduleConfig(String type, int warmupSteps, int stepSize, double gamma, long totalSteps,
                             double minFactor) implements Serializable {

    public ScheduleConfig {
        type = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (!type.equals("constant") && !type.equals("step") && !type.equals("cosine")) {
            throw new IllegalArgumentException("schedule : " + type + " (expected: constant, step or cosine)");
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps : " + warmupSteps + " (expected: >= 0)");
        }
        if (stepSize < 1) {
            throw new IllegalArgumentException("stepSize : " + stepSize + " (expected: >= 1)");
        }
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma : " + gamma + " (expected: in (0, 1])");
        }
        if (totalSteps < 0) {
            throw new IllegalArgumentException("totalSteps : " + totalSteps + " (expected: >= 0)");
        }
        if (!(minFactor >= 0 && minFactor <= 1)) {
            throw new IllegalArgumentException("minFactor : " + minFactor + " (expected: in [0, 1])");
        }
    }

    /** No schedule: factor 1 at every step. */
    public static ScheduleConfig constant() {
        return new ScheduleConfig("constant", 0, 1, 1.0, 0, 0.0);
    }

    public ScheduleConfig withTotalSteps(long steps) {
        return new ScheduleConfig(type, warmupSteps, stepSize, gamma, steps, minFactor);
    }

    /** The factor for step {@code step} (0-based). */
    public double factor(long step) {
        if (step < warmupSteps) {
            return (step + 1.0) / (warmupSteps + 1.0);
        }
        long s = step - warmupSteps;
        switch (type) {
            case "step":
                return Math.pow(gamma, s / stepSize);
            case "cosine": {
                long span = Math.max(1, totalSteps - warmupSteps);
                double t = Math.min(1.0, (double) s / span);
                return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * t));
            }
            default:
                return 1.0;
        }
    }
}
