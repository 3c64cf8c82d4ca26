package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;

/** What an {@link OpExecutor} sees of a compiled plan: the kernels and every node's storage. */
public interface Buffers {

    Kernels kernels();

    /** The array holding node n's output. */
    float[] data(Node n);

    /** Where node n's output starts in {@link #data(Node)}. */
    int offset(Node n);

    /** Node n's scratch ({@link Node#scratchSize()} floats from index 0; empty when it has none). */
    float[] scratch(Node n);
}
