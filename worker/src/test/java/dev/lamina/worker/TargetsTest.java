package dev.lamina.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.nn.TrainingStep;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which targets a model trains on, how a batch is filled for each, and evaluation without classes. */
class TargetsTest {

    private static ModelSpec spec(int inputs, int outputs, String loss) {
        return ModelSpec.fromMap(Map.of("input", List.of(inputs), "loss", loss, "layers", List.of(
                Map.of("type", "linear", "units", 5), Map.of("type", "relu"), Map.of("type", "linear", "units", outputs))));
    }

    private static FeatureBlock block() {
        float[] x = new float[4 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.1f;
        }
        return new FeatureBlock(4, 3, x, new float[] {7, 8, 9, 10});
    }

    @Test
    void targetsFollowTheLossAndTheOutputSize() {
        assertEquals(Targets.CLASSES, Targets.of(spec(3, 4, "softmax-cross-entropy")));
        assertEquals(Targets.VALUES, Targets.of(spec(3, 1, "mse")));
        assertEquals(Targets.INPUT, Targets.of(spec(3, 3, "mse")));
        assertEquals(Targets.INPUT, Targets.of(spec(3, 3, "l1")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Targets.of(spec(3, 2, "mse")));
        assertTrue(e.getMessage().contains("(expected: 1 value per row, trained on the label column, or 3 values"),
                e.getMessage());
    }

    @Test
    void aReconstructionBatchTakesTheFeaturesAsTargets() {
        TrainingStep step = Model.of(spec(3, 3, "mse")).trainingStep(2, new float[Model.of(spec(3, 3, "mse"))
                .parameterCount()], new float[Model.of(spec(3, 3, "mse")).parameterCount()], KernelProvider.kernels());
        EpochTrainer.fillBatch(block(), new int[] {2, 0, 3, 1}, 1, step.features(), step.labels());
        float[] features = new float[6];
        float[] targets = new float[6];
        System.arraycopy(step.features().data(), step.features().offset(), features, 0, 6);
        System.arraycopy(step.labels().data(), step.labels().offset(), targets, 0, 6);
        assertArrayEquals(new float[] {block().features()[0], block().features()[1], block().features()[2],
            block().features()[9], block().features()[10], block().features()[11]}, features);
        assertArrayEquals(features, targets);
    }

    @Test
    void evaluationWithoutClassesReportsTheMeanLoss() {
        EvalStats s = BlockEvaluator.evaluate(spec(3, 3, "mse"), new float[Model.of(spec(3, 3, "mse")).parameterCount()],
                block());
        // All-zero weights output 0: the loss is the mean squared feature.
        double sum = 0;
        for (float v : block().features()) {
            sum += v * v;
        }
        assertEquals(sum / 12, s.meanLoss(), 1e-6);
        assertEquals(4, s.count());
        assertTrue(Double.isNaN(s.accuracy()));
        assertEquals(Map.of("test_loss", s.meanLoss(), "test_samples", 4L), s.toMap("test_"));
        assertThrows(IllegalArgumentException.class, () -> s.merge(EvalStats.empty(3)));
        assertEquals(8, s.merge(s).count());
    }
}
