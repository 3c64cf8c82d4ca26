package dev.lamina.worker;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.ForwardStep;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.nn.NoiseSchedule;

/** Evaluates a model on a block: forward only, in batches, merged into {@link EvalStats}. */
public final class BlockEvaluator {
    /** Rows per forward pass when evaluating. */
    public static final int BATCH = 256;
    /**
     * Positions per forward pass for a language model: its activations grow with rows x positions
     * (attention scores with rows x positions^2), so its batch is cut to this many tokens (64 rows
     * of 128 characters; 256 rows of 128 ran a 4-layer Transformer out of a 6 GB heap).
     */
    static final int BATCH_TOKENS = 8192;

    /** Rows per forward pass for {@code spec}. */
    static int batchRows(ModelSpec spec) {
        return Targets.of(spec) == Targets.NEXT_TOKENS ? Math.max(1, Math.min(BATCH, BATCH_TOKENS / spec.inputSize()))
                : BATCH;
    }

    private static final long EVAL_NOISE_SEED = 0x7E57L;

    /**
     * This thread's compiled forward steps for the last model spec it evaluated: one per batch size
     * (the full batch and a block's last, shorter one), each with parameters of its own that every
     * evaluation overwrites. An executor evaluates the same model after every epoch; compiling its
     * plans afresh each time allocated ~100 MB per LeNet evaluation (buffers of 256 rows), enough
     * humongous arrays to start concurrent GC cycles beside the training tasks. At most 4 batch
     * sizes are kept, so a thread holds the buffers of a few plans of one model at a time.
     */
    private static final ThreadLocal<StepCache> STEPS = ThreadLocal.withInitial(StepCache::new);

    private static final class StepCache {
        /** A compiled step and the parameter array it is bound to. */
        private record Bound(ForwardStep step, float[] params) {
        }

        private ModelSpec spec;
        private final java.util.Map<Integer, Bound> steps = new java.util.HashMap<>();

        /** A step for batches of {@code rows}, bound to a copy of {@code source}. */
        ForwardStep step(ModelSpec spec, Model model, int rows, float[] source) {
            if (!spec.equals(this.spec) || !steps.containsKey(rows) && steps.size() >= 4) {
                // Another model, or a fifth batch size (blocks' last batches differ): start over.
                this.spec = spec;
                steps.clear();
            }
            Bound bound = steps.get(rows);
            if (bound == null) {
                float[] params = new float[source.length];
                bound = new Bound(model.forwardStep(rows, params, KernelProvider.kernels()), params);
                steps.put(rows, bound);
            }
            System.arraycopy(source, 0, bound.params(), 0, source.length);
            return bound.step();
        }
    }

    public static EvalStats evaluate(ModelSpec spec, float[] params, FeatureBlock block) {
        Model model = Model.of(spec);
        if (block.width() != spec.inputSize()) {
            throw new IllegalArgumentException("feature width : " + block.width() + " (expected: " + spec.inputSize() + ")");
        }
        Targets targets = Targets.of(spec);
        boolean classes = targets == Targets.CLASSES || targets == Targets.NEXT_TOKENS;
        if (targets == Targets.NEXT_TOKENS && block.labelWidth() != spec.inputSize()) {
            throw new IllegalArgumentException("block of " + block.rows() + " rows with " + block.labels().length
                    + " targets (expected: " + spec.inputSize() + " next tokens per row for a language model)");
        }
        // Predictions per row, or per position for a language model.
        int perRow = targets == Targets.NEXT_TOKENS ? spec.inputSize() : 1;
        EvalStats stats = EvalStats.zero(spec);
        boolean binary = targets == Targets.CLASSES && spec.classes() == 2;
        int full = Math.min(batchRows(spec), Math.max(1, block.rows()));
        StepCache cache = STEPS.get();
        ForwardStep step = cache.step(spec, model, full, params);
        int[] identity = new int[block.rows()];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        int[] predicted = new int[full * perRow];
        // A diffusion model is scored on its noise-prediction loss at noise fixed by the row's place in
        // the block, so that the test loss of every epoch sees the same noise.
        NoiseSchedule schedule = spec.isDiffusion() ? new NoiseSchedule(spec.diffusion()) : null;
        int start = 0;
        while (start < block.rows()) {
            int n = Math.min(full, block.rows() - start);
            ForwardStep s = n == full ? step : cache.step(spec, model, n, params);
            if (schedule != null) {
                EpochTrainer.fillNoised(block, identity, start, s.features(), s.labels(), schedule,
                        spec.dataShape().dim(0), new java.util.SplittableRandom(EVAL_NOISE_SEED + start));
            } else {
                EpochTrainer.fillBatch(block, identity, start, s.features(), s.labels());
            }
            float loss = s.run();
            if (classes) {
                s.predictions(predicted);
            }
            stats = binary
                    ? stats.add(n, predicted, s.labels().data(), s.labels().offset(), loss, s.output().data(),
                            s.output().offset())
                    : stats.add(n * perRow, predicted, s.labels().data(), s.labels().offset(), loss);
            start += n;
        }
        return stats;
    }
}
