package dev.lamina.worker;

import java.io.Serializable;

/**
 * A partition's samples as compact columns: features [rows, width] row-major and one label per row
 * (a class index stored as a float). Built once by the featurizer and cached by Spark.
 *
 * @param rows     the number of samples
 * @param width    features per sample
 * @param features rows * width values
 * @param labels   rows values
 */
public record FeatureBlock(int rows, int width, float[] features, float[] labels) implements Serializable {

    public FeatureBlock {
        if (rows < 0 || width < 1) {
            throw new IllegalArgumentException("block rows : " + rows + ", width : " + width + " (expected: rows >= 0, width >= 1)");
        }
        if (features.length != (long) rows * width || labels.length != rows) {
            throw new IllegalArgumentException("block of " + rows + " x " + width + " has " + features.length
                    + " features and " + labels.length + " labels (expected: " + (long) rows * width + " and " + rows + ")");
        }
    }
}
