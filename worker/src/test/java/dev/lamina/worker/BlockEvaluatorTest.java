package dev.lamina.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evaluation reuses this thread's compiled steps: each call must see its own parameters and block. */
class BlockEvaluatorTest {

    private static ModelSpec spec(int units) {
        return ModelSpec.fromMap(Map.of("input", List.of(3), "loss", "mse", "layers", List.of(
                Map.of("type", "linear", "units", units), Map.of("type", "relu"), Map.of("type", "linear", "units", 3))));
    }

    /** rows x 3 features, reconstructed (mse takes the features as targets). */
    private static FeatureBlock block(int rows) {
        float[] x = new float[rows * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37);
        }
        return new FeatureBlock(rows, 3, x, new float[rows]);
    }

    private static double meanSquare(FeatureBlock b) {
        double sum = 0;
        for (float v : b.features()) {
            sum += (double) v * v;
        }
        return sum / b.features().length;
    }

    @Test
    void reusedStepsSeeEachCallsParametersAndBlock() {
        ModelSpec spec = spec(5);
        float[] zero = new float[Model.of(spec).parameterCount()];
        float[] trained = Model.of(spec).initialParameters(3);
        // 600 rows: two full batches of 256 and a last one of 88, so both cached sizes run.
        FeatureBlock big = block(600);
        EvalStats first = BlockEvaluator.evaluate(spec, zero, big);
        // All-zero weights output 0: the loss is the mean squared feature.
        assertEquals(meanSquare(big), first.meanLoss(), 1e-6);
        EvalStats other = BlockEvaluator.evaluate(spec, trained, big);
        assertNotEquals(first.meanLoss(), other.meanLoss());
        assertEquals(first.meanLoss(), BlockEvaluator.evaluate(spec, zero, big).meanLoss(), 0.0);
        assertEquals(other.meanLoss(), BlockEvaluator.evaluate(spec, trained, big).meanLoss(), 0.0);
        // Another block size, then another model on the same thread.
        FeatureBlock small = block(7);
        assertEquals(meanSquare(small), BlockEvaluator.evaluate(spec, zero, small).meanLoss(), 1e-6);
        ModelSpec wider = spec(9);
        assertEquals(meanSquare(big), BlockEvaluator.evaluate(wider, new float[Model.of(wider).parameterCount()], big)
                .meanLoss(), 1e-6);
        assertEquals(other.meanLoss(), BlockEvaluator.evaluate(spec, trained, big).meanLoss(), 0.0);
    }
}
