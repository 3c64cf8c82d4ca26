package dev.lamina.driver;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.DiffusionSampler;
import dev.lamina.engine.nn.ForwardStep;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.BlockEvaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Samples a trained class-conditional diffusion model on the executors (one Spark task per class,
 * each drawing its images with {@link DiffusionSampler}), scores the samples with a classifier and
 * draws them as a grid.
 */
public final class DiffusionSampling {
    /** Images per forward pass of the sampler (twice as many rows with guidance). */
    private static final int CHUNK = 100;

    private DiffusionSampling() {
    }

    /**
     * {@code perClass} images of every class, class by class: [classes * perClass, C*H*W], pixels in
     * [0, 1]. Class k's images start from noise seeded by {@code seed + k}.
     */
    public static float[] sample(SparkSession spark, ModelSpec spec, float[] params, int perClass, int steps,
                                 double guidance, long seed) {
        int classes = spec.diffusion().classes();
        List<Integer> ids = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            ids.add(k);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        System.out.printf("lamina: sampling %d images (%d per class, %d DDIM steps, guidance %.2f), one Spark task per"
                + " class ...%n", classes * perClass, perClass, steps, guidance);
        List<float[]> perClassImages = jsc.parallelize(ids, classes)
                .map(k -> sampleClass(spec, params, k, perClass, steps, guidance, seed + k))
                .collect();
        int size = spec.inputSize();
        float[] all = new float[classes * perClass * size];
        for (int k = 0; k < classes; k++) {
            System.arraycopy(perClassImages.get(k), 0, all, k * perClass * size, perClass * size);
        }
        return all;
    }

    /** {@code count} images of class {@code k} in chunks of {@link #CHUNK}, on this thread. */
    static float[] sampleClass(ModelSpec spec, float[] params, int k, int count, int steps, double guidance, long seed) {
        DiffusionSampler sampler = new DiffusionSampler(spec, params, KernelProvider.kernels());
        int size = spec.inputSize();
        float[] out = new float[count * size];
        for (int start = 0; start < count; start += CHUNK) {
            int n = Math.min(CHUNK, count - start);
            int[] labels = new int[n];
            Arrays.fill(labels, k);
            float[] images = sampler.sample(labels, steps, guidance, seed * 1_000_003L + start);
            System.arraycopy(images, 0, out, start * size, n * size);
        }
        return out;
    }

    /**
     * The classes {@code classifier} predicts for {@code images} ([n, width] rows in its input
     * format), batch by batch on the driver.
     */
    public static int[] classify(ModelSpec classifier, float[] params, float[] images, int n) {
        int width = classifier.inputSize();
        if ((long) n * width != images.length) {
            throw new IllegalArgumentException("images : " + images.length + " values for " + n + " rows (expected: "
                    + (long) n * width + ", the classifier's input " + classifier.inputShape() + " per row)");
        }
        Model model = Model.of(classifier);
        int[] predicted = new int[n];
        int batch = Math.max(1, Math.min(BlockEvaluator.BATCH, n));
        ForwardStep full = model.forwardStep(batch, params, KernelProvider.kernels());
        int[] p = new int[batch];
        for (int start = 0; start < n; start += batch) {
            int rows = Math.min(batch, n - start);
            ForwardStep step = rows == batch ? full : model.forwardStep(rows, params, KernelProvider.kernels());
            System.arraycopy(images, start * width, step.features().data(), step.features().offset(), rows * width);
            step.run();
            step.predictions(p);
            System.arraycopy(p, 0, predicted, start, rows);
        }
        return predicted;
    }

    /** A PNG with one row per class of its first {@code columns} images ([classes * perClass, H*W] in [0, 1]). */
    public static byte[] grid(float[] images, int classes, int perClass, int columns, int h, int w) {
        int cols = Math.min(columns, perClass);
        List<float[]> rows = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            rows.add(Arrays.copyOfRange(images, k * perClass * h * w, (k * perClass + cols) * h * w));
        }
        return Reconstructions.grid(rows, cols, h, w);
    }
}
