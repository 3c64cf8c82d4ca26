package dev.lamina.worker;

import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.tensor.Shape;

/**
 * What a model is trained to output, read from its loss and output shape: class indices from the
 * label column (a classification loss), one value per row from the label column (a regression loss
 * with one output), the row's own features (a regression loss whose output is as large as the
 * input: an autoencoder reconstructing its input), or each position's next token (a sequence loss:
 * a language model over windows of tokens).
 */
public enum Targets {
    /** Class indices in [0, classes) from the label column. */
    CLASSES,
    /** One finite value per row from the label column. */
    VALUES,
    /** The row's features: reconstruction. */
    INPUT,
    /**
     * The next token at every position: a row is a window of T + 1 token ids, the model reads the
     * first T and is trained on the last T.
     */
    NEXT_TOKENS,
    /**
     * A diffusion model's noise: the row is a clean image with its class in the label column; every
     * step noises it at a random diffusion step and trains on the noise added.
     */
    NOISE;

    /**
     * The targets {@code spec} trains on.
     *
     * @throws IllegalArgumentException for a regression loss whose output is neither 1 value nor the input's size
     */
    public static Targets of(ModelSpec spec) {
        if (spec.isDiffusion()) {
            return NOISE;
        }
        if (spec.loss().startsWith("sequence-cross-entropy")) {
            return NEXT_TOKENS;
        }
        if (spec.lossFunction().classification()) {
            return CLASSES;
        }
        Shape per = spec.lossFunction().targetShape(Shape.of(batched(spec.outputShape())));
        int size = per.size();
        if (size == 1) {
            return VALUES;
        }
        if (size == spec.inputSize()) {
            return INPUT;
        }
        throw new IllegalArgumentException("model output " + spec.outputShape() + " with loss " + spec.loss()
                + " (expected: 1 value per row, trained on the label column, or " + spec.inputSize()
                + " values, the input's size, trained to reconstruct the input)");
    }

    private static int[] batched(Shape shape) {
        int[] dims = new int[shape.rank() + 1];
        dims[0] = 1;
        System.arraycopy(shape.dims(), 0, dims, 1, shape.rank());
        return dims;
    }
}
