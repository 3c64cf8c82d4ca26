package dev.lamina.ps.checkpoint;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Test fixtures: random checkpoints. */
final class Checkpoints {
    private Checkpoints() {
    }

    static Checkpoint random(long step, int n, int stateBuffers, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] params = new float[n];
        for (int i = 0; i < n; i++) {
            params[i] = (float) rng.nextGaussian();
        }
        if (n > 3) {
            params[0] = -0.0f;
            params[1] = Float.MIN_VALUE;
            params[2] = Float.MAX_VALUE;
        }
        float[][] state = new float[stateBuffers][n];
        for (float[] s : state) {
            for (int i = 0; i < n; i++) {
                s[i] = rng.nextFloat();
            }
        }
        JobState job = new JobState(42L, 3, new byte[] {1, 2, 3}, Map.of("config", "training:\n  epochs: 5", "jvm", "17 é"));
        return new Checkpoint(step, params, "adam", step * 2, state,
                List.of(new Checkpoint.WorkerRecord(2, 17, 4096), new Checkpoint.WorkerRecord(-1, -1, 0)), job);
    }
}
