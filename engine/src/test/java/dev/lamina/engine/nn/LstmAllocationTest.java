package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.optim.OptimizerConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The LSTM language model's training step allocates nothing once compiled, in a JVM of its own (the
 * "allocation" tests run one class per JVM, as a training JVM runs one model).
 */
class LstmAllocationTest {

    @Tag("allocation")
    @Test
    void lstmTrainingStepAllocatesNothingInSteadyState() {
        // 40 hidden units: the gates' sigmoid and tanh run their vector loops; the step calls four
        // e^x kernels per position, which C2 once inlined into one method and boxed (55 MB per bench step)
        Model model = Model.of(LanguageModelTest.lstmLm(40, 12, 16, 40));
        float[] params = model.initialParameters(1);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(4, params, grads, KernelProvider.kernels());
        Optimizer optimizer = OptimizerConfig.defaults().withType("adam").withLearningRate(1e-3).create(model.parameterCount());
        LanguageModelTest.fillBatch(step, new SplittableRandom(1));
        long perStep = StepAllocation.bytesPerStep(step, optimizer, params, grads, 6000, 500);
        assertTrue(perStep < 16, "allocated " + perStep + " bytes per step");
    }
}
