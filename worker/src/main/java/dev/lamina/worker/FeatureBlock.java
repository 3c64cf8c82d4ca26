package dev.lamina.worker;

import java.io.Serializable;

/**
 * A partition's samples as compact columns: features [rows, width] row-major and the targets, one
 * label per row (a class index or value stored as a float) or, for a language model, one per
 * position (rows * width next-token ids). Built once by the featurizer and cached by Spark.
 *
 * @param rows     the number of samples
 * @param width    features per sample
 * @param features rows * width values
 * @param labels   rows values, or rows * width for targets per position
 */
public record FeatureBlock(int rows, int width, float[] features, float[] labels) implements Serializable {

    public FeatureBlock {
        if (rows < 0 || width < 1) {
            throw new IllegalArgumentException("block rows : " + rows + ", width : " + width + " (expected: rows >= 0, width >= 1)");
        }
        if (features.length != (long) rows * width || labels.length != rows && labels.length != (long) rows * width) {
            throw new IllegalArgumentException("block of " + rows + " x " + width + " has " + features.length
                    + " features and " + labels.length + " labels (expected: " + (long) rows * width + " and " + rows
                    + " or " + (long) rows * width + ")");
        }
    }

    /** Targets per row: 1, or {@code width} when every position has its own (a language model's next tokens). */
    public int labelWidth() {
        return rows > 0 && width > 1 && labels.length == (long) rows * width ? width : 1;
    }
}
