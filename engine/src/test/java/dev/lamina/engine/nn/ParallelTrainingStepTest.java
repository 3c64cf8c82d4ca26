package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A batch split over threads gives the loss, outputs and gradient of the whole batch in one plan (to
 * float rounding: the parts' gradients are summed in another order), bitwise the same from run to run;
 * models with batch norm or dropout are not split.
 */
class ParallelTrainingStepTest {

    private static void fill(Tensor t, SplittableRandom r, int classes) {
        for (int i = 0; i < t.size(); i++) {
            t.data()[t.offset() + i] = classes > 0 ? r.nextInt(classes) : (float) r.nextDouble(-1, 1);
        }
    }

    /** Loss, output and gradient of one plan and of {@code threads} parts agree for {@code spec}. */
    private static void agree(ModelSpec spec, int batch, int threads, int classes) {
        Model model = Model.of(spec);
        float[] params = model.initialParameters(3);
        float[] whole = new float[model.parameterCount()];
        float[] split = new float[model.parameterCount()];
        TrainingStep one = model.trainingStep(batch, params, whole, KernelProvider.kernels());
        try (TrainingStep parts = model.trainingStep(batch, params, split, threads)) {
            assertTrue(parts instanceof ParallelTrainingStep, "split over " + threads + " threads");
            assertEquals(threads, ((ParallelTrainingStep) parts).partCount());
            for (int round = 0; round < 3; round++) {
                SplittableRandom r = new SplittableRandom(round);
                fill(one.features(), r, spec.input().rank() == 1 && classes > 0 && spec.layers().get(0) instanceof EmbeddingConfig ? classes : 0);
                fill(one.labels(), r, classes);
                System.arraycopy(one.features().data(), one.features().offset(), parts.features().data(),
                        parts.features().offset(), one.features().size());
                System.arraycopy(one.labels().data(), one.labels().offset(), parts.labels().data(),
                        parts.labels().offset(), one.labels().size());
                float l1 = one.run();
                float l2 = parts.run();
                assertEquals(l1, l2, 1e-5 * Math.max(1, Math.abs(l1)), "loss, round " + round);
                for (int i = 0; i < one.output().size(); i++) {
                    assertEquals(one.output().get(i), parts.output().get(i), 1e-5, "output " + i);
                }
                double scale = 0;
                for (float g : whole) {
                    scale = Math.max(scale, Math.abs(g));
                }
                for (int i = 0; i < whole.length; i++) {
                    assertEquals(whole[i], split[i], 1e-5 * scale + 1e-7, "gradient " + model.parameterAt(i).name() + " round " + round);
                }
                float[] again = split.clone();
                parts.run();
                assertArrayEquals(again, split, "the same batch gives bitwise the same gradient");
            }
        }
    }

    @Test
    void mlpOverTwoAndThreeThreads() {
        ModelSpec mlp = ModelSpec.mlp(20, 16, 8, 5);
        agree(mlp, 12, 2, 5);
        agree(mlp, 7, 3, 5); // parts of 3, 2 and 2 rows
    }

    @Test
    void convolutionAndTransformerModels() {
        agree(CnnModelTest.smallCnn(), 10, 2, 3);
        agree(LanguageModelTest.transformerLm(11, 8, 16), 6, 2, 11);
    }

    /**
     * The same batch gives bitwise the same gradient from the first run until long after the JIT has
     * compiled the kernels: with the Vector API's own EXP the gradient changed a few hundred runs in
     * (C2 computes it with another library than the interpreter).
     */
    @Test
    void theGradientStaysBitwiseTheSameOnceTheKernelsAreCompiled() {
        ModelSpec spec = LanguageModelTest.transformerLm(11, 8, 16);
        Model model = Model.of(spec);
        float[] split = new float[model.parameterCount()];
        try (TrainingStep parts = model.trainingStep(6, model.initialParameters(3), split, 2)) {
            SplittableRandom r = new SplittableRandom(1);
            fill(parts.features(), r, 11);
            fill(parts.labels(), r, 11);
            parts.run();
            float[] first = split.clone();
            for (int run = 1; run <= 5000; run++) {
                parts.run();
                if (!java.util.Arrays.equals(first, split)) {
                    assertArrayEquals(first, split, "run " + run);
                }
            }
        }
    }

    @Test
    void batchNormAndDropoutModelsAndTinyBatchesAreNotSplit() {
        ModelSpec bn = new ModelSpec(List.of(1, 8, 8), List.of(Conv2dConfig.of(4, 3), new BatchNormConfig(1e-3),
                new ReluConfig(), ReshapeConfig.flatten(), new LinearConfig(3)), ModelSpec.SOFTMAX_CROSS_ENTROPY);
        ModelSpec dropout = new ModelSpec(List.of(10), List.of(new LinearConfig(8), new DropoutConfig(0.5, 1),
                new LinearConfig(3)), ModelSpec.SOFTMAX_CROSS_ENTROPY);
        for (ModelSpec spec : List.of(bn, dropout)) {
            Model m = Model.of(spec);
            try (TrainingStep s = m.trainingStep(8, m.initialParameters(1), new float[m.parameterCount()], 2)) {
                assertFalse(s instanceof ParallelTrainingStep, spec.layers().toString());
            }
        }
        Model mlp = Model.of(ModelSpec.mlp(4, 3));
        try (TrainingStep s = mlp.trainingStep(3, mlp.initialParameters(1), new float[mlp.parameterCount()], 2)) {
            assertFalse(s instanceof ParallelTrainingStep, "3 rows are too few for 2 threads");
        }
        assertThrows(IllegalArgumentException.class,
                () -> mlp.trainingStep(8, mlp.initialParameters(1), new float[mlp.parameterCount()], 0));
    }

    @Test
    void aClosedStepRefusesToRun() {
        Model mlp = Model.of(ModelSpec.mlp(4, 3));
        TrainingStep s = mlp.trainingStep(8, mlp.initialParameters(1), new float[mlp.parameterCount()], 2);
        s.close();
        assertThrows(IllegalStateException.class, s::run);
    }
}
