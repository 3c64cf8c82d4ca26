package dev.lamina.engine.optim;

/** Global-norm gradient clipping, shared by the optimizers. */
final class Clipping {

    private Clipping() {
    }

    /**
     * The factor to multiply gradients by so their global L2 norm is at most {@code clipNorm}
     * (1 when clipping is off or not needed).
     */
    static float scale(float[] grads, double clipNorm) {
        if (clipNorm <= 0) {
            return 1f;
        }
        double sq = 0;
        for (float g : grads) {
            sq += (double) g * g;
        }
        return ofSquaredNorm(sq, clipNorm);
    }

    /** {@link #scale} of the mean of two gradients, m[i] = (a[i] + b[i]) / 2, without writing m. */
    static float scaleOfMean(float[] a, float[] b, double clipNorm) {
        if (clipNorm <= 0) {
            return 1f;
        }
        double sq = 0;
        for (int i = 0; i < a.length; i++) {
            float g = (a[i] + b[i]) / 2f;
            sq += (double) g * g;
        }
        return ofSquaredNorm(sq, clipNorm);
    }

    /** The factor for gradients whose squared L2 norm is {@code sq}. */
    private static float ofSquaredNorm(double sq, double clipNorm) {
        double norm = Math.sqrt(sq);
        return norm > clipNorm ? (float) (clipNorm / norm) : 1f;
    }
}
