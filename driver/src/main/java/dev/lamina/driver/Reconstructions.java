package dev.lamina.driver;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.ForwardStep;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;

/**
 * A picture of what an image autoencoder does: a PNG with the input images on the top row and the
 * model's reconstructions below, for single-channel [1, H, W] inputs with values in [0, 1].
 */
public final class Reconstructions {
    private static final int SCALE = 3;
    private static final int GAP = 2;

    private Reconstructions() {
    }

    /** Whether {@code spec} reconstructs single-channel images, the case {@link #png} draws. */
    public static boolean drawable(ModelSpec spec) {
        List<Integer> in = spec.inputShape();
        return in.size() == 3 && in.get(0) == 1 && spec.outputShape().size() == spec.inputSize();
    }

    /** The PNG for {@code rows} (features in column {@code featureIndex}) under {@code params}. */
    public static byte[] png(ModelSpec spec, float[] params, List<Row> rows, int featureIndex) {
        if (!drawable(spec) || rows.isEmpty()) {
            throw new IllegalArgumentException("reconstructions of model input " + spec.inputShape() + " for "
                    + rows.size() + " rows (expected: [1, height, width] images reconstructed, and rows)");
        }
        int h = spec.inputShape().get(1);
        int w = spec.inputShape().get(2);
        int n = rows.size();
        int width = h * w;
        ForwardStep step = Model.of(spec).forwardStep(n, params, KernelProvider.kernels());
        float[] inputs = new float[n * width];
        for (int r = 0; r < n; r++) {
            Featurizer.readFeatures(rows.get(r), featureIndex, r, width, inputs);
        }
        System.arraycopy(inputs, 0, step.features().data(), step.features().offset(), inputs.length);
        step.run();
        float[] outputs = new float[n * width];
        System.arraycopy(step.output().data(), step.output().offset(), outputs, 0, outputs.length);
        return grid(List.of(inputs, outputs), n, h, w);
    }

    /** Images side by side, one row of the grid per array of n images of h x w values in [0, 1]. */
    static byte[] grid(List<float[]> gridRows, int n, int h, int w) {
        int cellW = w * SCALE + GAP;
        int cellH = h * SCALE + GAP;
        BufferedImage image = new BufferedImage(n * cellW + GAP, gridRows.size() * cellH + GAP, BufferedImage.TYPE_BYTE_GRAY);
        for (int g = 0; g < gridRows.size(); g++) {
            float[] values = gridRows.get(g);
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < h * SCALE; y++) {
                    for (int x = 0; x < w * SCALE; x++) {
                        float v = values[i * h * w + (y / SCALE) * w + x / SCALE];
                        int gray = Math.round(255 * Math.max(0f, Math.min(1f, Float.isFinite(v) ? v : 0f)));
                        image.getRaster().setSample(GAP + i * cellW + x, GAP + g * cellH + y, 0, gray);
                    }
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
