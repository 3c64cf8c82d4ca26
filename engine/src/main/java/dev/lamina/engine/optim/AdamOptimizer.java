package dev.lamina.engine.optim;

/**
 * Adam (Kingma and Ba) with bias correction, in the PyTorch formulation:
 * g' = g + wd * p; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
 * p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * As AdamW (Loshchilov and Hutter) the decay is decoupled instead: g' = g and p -= lr * wd * p first.
 */
public final class AdamOptimizer implements Optimizer {
    private final OptimizerConfig config;
    private final float[] m;
    private final float[] v;
    private long steps;

    AdamOptimizer(OptimizerConfig config, int size) {
        this.config = config;
        this.m = new float[size];
        this.v = new float[size];
    }

    @Override
    public void step(float[] params, float[] grads) {
        SgdOptimizer.checkLengths(params, grads, m.length);
        float lr = (float) config.learningRateAt(steps);
        steps++;
        float scale = Clipping.scale(grads, config.clipNorm());
        boolean decoupled = config.type().equals("adamw");
        float b1 = (float) config.beta1();
        float b2 = (float) config.beta2();
        float eps = (float) config.epsilon();
        float wd = decoupled ? 0f : (float) config.weightDecay();
        float decay = decoupled ? 1f - lr * (float) config.weightDecay() : 1f;
        float c1 = (float) (1.0 - Math.pow(config.beta1(), steps));
        float c2 = (float) (1.0 - Math.pow(config.beta2(), steps));
        float stepSize = lr / c1;
        float invSqrtC2 = (float) (1.0 / Math.sqrt(c2));
        for (int i = 0; i < params.length; i++) {
            params[i] *= decay;
            float g = scale * grads[i] + wd * params[i];
            float mi = b1 * m[i] + (1f - b1) * g;
            float vi = b2 * v[i] + (1f - b2) * g * g;
            m[i] = mi;
            v[i] = vi;
            params[i] -= stepSize * mi / ((float) Math.sqrt(vi) * invSqrtC2 + eps);
        }
    }

    @Override
    public int size() {
        return m.length;
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
        return new float[][] {m, v};
    }

    @Override
    public void restore(long restoredSteps, float[][] state) {
        long checked = OptimizerStates.checkSteps(restoredSteps);
        OptimizerStates.copyState(config.type(), state, state());
        steps = checked;
    }
}
