package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.IntPredicate;

/** Central differences of a training step's loss against its analytic gradient, parameter by parameter. */
final class StepGradients {
    private static final float H = 1e-2f;

    private StepGradients() {
    }

    /**
     * Runs {@code step} once for the analytic gradient, then checks every parameter index that
     * {@code which} accepts against (loss(p + h) - loss(p - h)) / 2h, within 2e-3 + 1e-2 of the larger
     * magnitude; returns how many were checked.
     */
    static int check(Model model, TrainingStep step, float[] params, float[] grads, IntPredicate which) {
        step.run();
        float[] analytic = grads.clone();
        int checked = 0;
        for (int i = 0; i < params.length; i++) {
            if (!which.test(i)) {
                continue;
            }
            float saved = params[i];
            params[i] = saved + H;
            double up = step.run();
            params[i] = saved - H;
            double down = step.run();
            params[i] = saved;
            double numeric = (up - down) / (2 * H);
            assertEquals(numeric, analytic[i], 2e-3 + 1e-2 * Math.max(Math.abs(numeric), Math.abs(analytic[i])),
                    model.parameterAt(i).name() + " at " + i);
            checked++;
        }
        return checked;
    }
}
