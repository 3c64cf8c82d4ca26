package dev.lamina.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.nn.DiffusionConfig;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.nn.NoiseSchedule;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A diffusion model's batches: its rows noised at random steps, the noise as the targets; its evaluation. */
class NoisedBatchTest {
    private static final DiffusionConfig CONFIG = new DiffusionConfig(50, 1e-3, 0.05, 3, 1, 0.0);

    private static ModelSpec spec() {
        return ModelSpec.fromMap(Map.of("input", List.of(1, 2, 2), "diffusion", CONFIG.toMap(), "loss", "mse",
                "layers", List.of(Map.of("type", "conv2d", "filters", 1, "kernel", 1))));
    }

    private static FeatureBlock block() {
        float[] x = new float[6 * 4];
        float[] labels = new float[6];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 5) / 4f;
        }
        for (int r = 0; r < 6; r++) {
            labels[r] = r % 3;
        }
        return new FeatureBlock(6, 4, x, labels);
    }

    @Test
    void aDiffusionModelTrainsOnNoise() {
        assertEquals(Targets.NOISE, Targets.of(spec()));
        assertEquals(EvalStats.values().getClass(), EvalStats.zero(spec()).getClass());
    }

    @Test
    void rowsAreNoisedImagesWithTheirClassAndTheNoiseIsTheTarget() {
        ModelSpec spec = spec();
        FeatureBlock block = block();
        int[] order = {5, 4, 3, 2, 1, 0};
        Tensor features = Tensor.zeros(Shape.of(3, 5, 2, 2));
        Tensor labels = Tensor.zeros(Shape.of(3, 1, 2, 2));
        EpochTrainer.batchSource(spec, block, order, 42, 0, 0).fill(2, features, labels);
        NoiseSchedule schedule = new NoiseSchedule(CONFIG);
        for (int r = 0; r < 3; r++) {
            int row = order[2 + r];
            int base = r * 20;
            int t = (int) Math.round((features.get(base + 4) + 1) * 49 / 2);
            double a = Math.sqrt(schedule.alphaBar(t));
            double b = Math.sqrt(1 - schedule.alphaBar(t));
            for (int p = 0; p < 4; p++) {
                assertEquals(a * (2 * block.features()[row * 4 + p] - 1) + b * labels.get(r * 4 + p), features.get(base + p),
                        1e-5, "row " + r + " pixel " + p);
            }
            for (int k = 0; k < 3; k++) {
                assertEquals(k == (int) block.labels()[row] ? 1f : 0f, features.get(base + 8 + k * 4), "class plane " + k);
            }
        }
    }

    @Test
    void noiseIsFixedByTheSeedEpochAndWorker() {
        ModelSpec spec = spec();
        FeatureBlock block = block();
        int[] order = {0, 1, 2, 3, 4, 5};
        float[][] draws = new float[4][];
        long[][] keys = {{42, 0, 0}, {42, 0, 0}, {42, 1, 0}, {42, 0, 1}};
        for (int i = 0; i < 4; i++) {
            Tensor features = Tensor.zeros(Shape.of(2, 5, 2, 2));
            Tensor labels = Tensor.zeros(Shape.of(2, 1, 2, 2));
            EpochTrainer.batchSource(spec, block, order, keys[i][0], (int) keys[i][1], (int) keys[i][2])
                    .fill(0, features, labels);
            draws[i] = labels.data().clone();
        }
        assertArrayEquals(draws[0], draws[1]);
        assertNotEquals(draws[0][0], draws[2][0]);
        assertNotEquals(draws[0][0], draws[3][0]);
    }

    @Test
    void evaluationScoresTheNoisePredictionTheSameWayEveryTime() {
        ModelSpec spec = spec();
        float[] zero = new float[dev.lamina.engine.nn.Model.of(spec).parameterCount()];
        EvalStats first = BlockEvaluator.evaluate(spec, zero, block());
        EvalStats again = BlockEvaluator.evaluate(spec, zero, block());
        // A network that predicts no noise scores the noise's own mean square, about 1.
        assertEquals(first.meanLoss(), again.meanLoss(), 0.0);
        assertEquals(6, first.count());
        assertTrue(first.meanLoss() > 0.2 && first.meanLoss() < 3, "mean loss " + first.meanLoss());
    }
}
