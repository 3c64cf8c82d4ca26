package dev.lamina.engine.optim;

/**
 * Updates one flat parameter buffer from one flat gradient buffer of the same length. The optimizer
 * owns its state (momentum, moments, step count) in flat buffers of the same length, so a parameter
 * server can own and checkpoint it.
 */
public interface Optimizer {

    /** Applies one step: {@code params} are updated in place from {@code grads} (which is not changed). */
    void step(float[] params, float[] grads);

    /**
     * One step from the mean of two gradients, m[i] = (a[i] + b[i]) / 2, bitwise what
     * {@code step(params, m)} gives (neither gradient is changed). The default writes m into
     * {@code scratch} (length {@link #size()}) first; an optimizer may fuse the mean into its own pass,
     * saving a write and a read of m (a parameter server averaging two workers' pushes).
     */
    default void stepMeanOfTwo(float[] params, float[] a, float[] b, float[] scratch) {
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = (a[i] + b[i]) / 2f;
        }
        step(params, scratch);
    }

    /** The number of parameters this optimizer was created for. */
    int size();

    /** How many steps have been applied. */
    long steps();

    /** The configuration it was created from. */
    OptimizerConfig config();

    /**
     * The optimizer's state buffers, live (not copies), in a fixed order per type: SGD {velocity} (none
     * without momentum), Adam/AdamW {m, v}, RMSProp {v}. Each has {@link #size()} elements. Copy them
     * between steps to checkpoint; together with {@link #steps()} they are all the state there is.
     */
    float[][] state();

    /**
     * Replaces the step count and state with a checkpointed one (copied), so the next {@link #step}
     * is bitwise the one this optimizer's source would have taken.
     *
     * @throws IllegalArgumentException if {@code steps < 0} or the buffers' count or lengths differ
     *                                  from {@link #state()}'s
     */
    void restore(long steps, float[][] state);
}
