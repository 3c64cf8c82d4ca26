package dev.lamina.engine.optim;

/**
 * Updates one flat parameter buffer from one flat gradient buffer of the same length. The optimizer
 * owns its state (momentum, moments, step count) in flat buffers of the same length, so a parameter
 * server can own and checkpoint it.
 */
public interface Optimizer {

    /** Applies one step: {@code params} are updated in place from {@code grads} (which is not changed). */
    void step(float[] params, float[] grads);

    /** The number of parameters this optimizer was created for. */
    int size();

    /** How many steps have been applied. */
    long steps();

    /** The configuration it was created from. */
    OptimizerConfig config();
}
