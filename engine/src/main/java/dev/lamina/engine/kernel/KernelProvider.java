package dev.lamina.engine.kernel;

/** Placeholder until the Vector API provider lands: always the scalar reference. */
public final class KernelProvider {
    private KernelProvider() {
    }

    public static Kernels kernels() {
        return ScalarKernels.INSTANCE;
    }

    public static String description() {
        return "ScalarKernels (placeholder)";
    }

    public static boolean vectorized() {
        return false;
    }
}
