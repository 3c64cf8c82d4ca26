package dev.lamina.engine.optim;

/**
 * RMSProp in the PyTorch formulation without momentum or centering: g' = g + wd * p;
 * v = alpha v + (1 - alpha) g'^2; p -= lr * g' / (sqrt(v) + eps), with alpha = beta2.
 */
public final class RmsPropOptimizer implements Optimizer {
    private final OptimizerConfig config;
    private final float[] v;
    private long steps;

    RmsPropOptimizer(OptimizerConfig config, int size) {
        this.config = config;
        this.v = new float[size];
    }

    @Override
    public void step(float[] params, float[] grads) {
        SgdOptimizer.checkLengths(params, grads, v.length);
        float lr = (float) config.learningRateAt(steps);
        float scale = Clipping.scale(grads, config.clipNorm());
        float alpha = (float) config.beta2();
        float eps = (float) config.epsilon();
        float wd = (float) config.weightDecay();
        for (int i = 0; i < params.length; i++) {
            float g = scale * grads[i] + wd * params[i];
            float vi = alpha * v[i] + (1f - alpha) * g * g;
            v[i] = vi;
            params[i] -= lr * g / ((float) Math.sqrt(vi) + eps);
        }
        steps++;
    }

    @Override
    public int size() {
        return v.length;
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
        return new float[][] {v};
    }

    @Override
    public void restore(long restoredSteps, float[][] state) {
        long checked = OptimizerStates.checkSteps(restoredSteps);
        OptimizerStates.copyState(config.type(), state, state());
        steps = checked;
    }
}
