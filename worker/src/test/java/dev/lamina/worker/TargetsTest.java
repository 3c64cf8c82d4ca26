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

    private static ModelSpec languageModel(int length, int vocab) {
        return ModelSpec.fromMap(Map.of("input", List.of(length), "loss", "sequence-cross-entropy", "layers", List.of(
                Map.of("type", "embedding", "vocab", vocab, "dim", 4),
                Map.of("type", "lstm", "hidden", 6, "layers", 1, "sequence", true),
                Map.of("type", "linear", "units", vocab))));
    }

    @Test
    void aSequenceLossTrainsOnNextTokensPerPosition() {
        ModelSpec spec = languageModel(3, 8);
        assertEquals(Targets.NEXT_TOKENS, Targets.of(spec));
        // Two windows "0 1 2 3" and "4 5 6 7": inputs the first three ids, targets the last three.
        FeatureBlock block = new FeatureBlock(2, 3, new float[] {0, 1, 2, 4, 5, 6}, new float[] {1, 2, 3, 5, 6, 7});
        assertEquals(3, block.labelWidth());
        assertEquals(1, block().labelWidth());
        Model model = Model.of(spec);
        TrainingStep step = model.trainingStep(2, model.initialParameters(1), new float[model.parameterCount()],
                KernelProvider.kernels());
        EpochTrainer.fillBatch(block, new int[] {1, 0}, 0, step.features(), step.labels());
        float[] targets = new float[6];
        System.arraycopy(step.labels().data(), step.labels().offset(), targets, 0, 6);
        assertArrayEquals(new float[] {5, 6, 7, 1, 2, 3}, targets);
        assertThrows(IllegalArgumentException.class, () -> new FeatureBlock(2, 3, new float[6], new float[4]));

        // Evaluation counts tokens: 6 of them, and the loss per token of an untrained model is near ln(8).
        EvalStats s = BlockEvaluator.evaluate(spec, model.initialParameters(1), block);
        assertTrue(s.tokens());
        assertEquals(6, s.count());
        assertEquals(Math.log(8), s.meanLoss(), 0.2);
        assertEquals(s.meanLoss() / Math.log(2), s.bitsPerChar(), 1e-12);
        assertEquals(EvalStats.tokens(8).classes(), EvalStats.zero(spec).classes());
        // A language model evaluates 8,192 positions per forward pass; other models 256 rows.
        assertEquals(64, BlockEvaluator.batchRows(languageModel(128, 8)));
        assertEquals(256, BlockEvaluator.batchRows(languageModel(16, 8)));
        assertEquals(256, BlockEvaluator.batchRows(spec(3, 4, "softmax-cross-entropy")));
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
