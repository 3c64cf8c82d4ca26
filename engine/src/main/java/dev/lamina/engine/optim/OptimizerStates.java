package dev.lamina.engine.optim;

/** Shared checks for {@link Optimizer#restore}. */
final class OptimizerStates {
    private OptimizerStates() {
    }

    /** Copies {@code source} into {@code target} buffer by buffer after checking the shapes match. */
    static void copyState(String type, float[][] source, float[][] target) {
        if (source == null || source.length != target.length) {
            throw new IllegalArgumentException(type + " state buffers : " + (source == null ? "null" : source.length)
                    + " (expected: " + target.length + ")");
        }
        for (int i = 0; i < target.length; i++) {
            if (source[i] == null || source[i].length != target[i].length) {
                throw new IllegalArgumentException(type + " state buffer " + i + " length : "
                        + (source[i] == null ? "null" : source[i].length) + " (expected: " + target[i].length + ")");
            }
        }
        for (int i = 0; i < target.length; i++) {
            System.arraycopy(source[i], 0, target[i], 0, target[i].length);
        }
    }

    /** Checks a restored step count. */
    static long checkSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps : " + steps + " (expected: >= 0)");
        }
        return steps;
    }
}
