package dev.lamina.engine.autodiff;

/** Computes one node's output from its inputs' buffers. Must not allocate. */
@FunctionalInterface
public interface OpExecutor {
    void run(Node node, Buffers buffers);
}
