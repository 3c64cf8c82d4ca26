package dev.lamina.engine.optim;

/**
 * Stochastic gradient descent with optional (Nesterov) momentum and coupled weight decay, in the
 * PyTorch formulation: g' = g + wd * p; v = mu * v + g'; p -= lr * (nesterov ? g' + mu * v : v).
 */
public final class SgdOptimizer implements Optimizer {
    private final OptimizerConfig config;
    private final int size;
    private final float[] velocity;
    private long steps;

    SgdOptimizer(OptimizerConfig config, int size) {
        this.config = config;
        this.size = size;
        this.velocity = config.momentum() > 0 ? new float[size] : new float[0];
    }

    @Override
    public void step(float[] params, float[] grads) {
        checkLengths(params, grads, size);
        apply(params, grads, null, Clipping.scale(grads, config.clipNorm()));
    }

    /**
     * The mean computed in the update's own pass: 6 passes over memory (read a, b, params, velocity;
     * write params, velocity) where the default's mean then step take 8.
     */
    @Override
    public void stepMeanOfTwo(float[] params, float[] a, float[] b, float[] scratch) {
        checkLengths(params, a, size);
        checkLengths(params, b, size);
        apply(params, a, b, Clipping.scaleOfMean(a, b, config.clipNorm()));
    }

    /** One step from the gradient {@code a}, or from (a + b) / 2 when {@code b} is not null. */
    private void apply(float[] params, float[] a, float[] b, float scale) {
        float lr = (float) config.learningRateAt(steps);
        float mu = (float) config.momentum();
        float wd = (float) config.weightDecay();
        boolean nesterov = config.nesterov();
        boolean mean = b != null;
        if (mu == 0f) {
            for (int i = 0; i < params.length; i++) {
                float g = scale * (mean ? (a[i] + b[i]) / 2f : a[i]) + wd * params[i];
                params[i] -= lr * g;
            }
        } else {
            float[] v = velocity;
            for (int i = 0; i < params.length; i++) {
                float g = scale * (mean ? (a[i] + b[i]) / 2f : a[i]) + wd * params[i];
                float vi = mu * v[i] + g;
                v[i] = vi;
                params[i] -= lr * (nesterov ? g + mu * vi : vi);
            }
        }
        steps++;
    }

    static void checkLengths(float[] params, float[] grads, int size) {
        if (params.length != size || grads.length != size) {
            throw new IllegalArgumentException("buffer length mismatch: params=" + params.length
                    + ", grads=" + grads.length + " (expected: " + size + ")");
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public OptimizerConfig config() {
        return config;
    }

    @Override
    public float[][] state() {
        return velocity.length == 0 ? new float[0][] : new float[][] {velocity};
    }

    @Override
    public void restore(long restoredSteps, float[][] state) {
        long checked = OptimizerStates.checkSteps(restoredSteps);
        OptimizerStates.copyState(config.type(), state, state());
        steps = checked;
    }
}
