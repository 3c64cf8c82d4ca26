package dev.lamina.jobs;

import dev.lamina.driver.data.LabeledImages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Spark MLlib's {@link MultilayerPerceptronClassifier} in {@code bench --suite scaling}, in its own
 * JVM, on the same images as Lamina (pixels scaled to [0, 1], as Lamina's featurizer does) with the
 * same layer sizes (MLlib's hidden layers are sigmoid; L-BFGS, block size 128, seed 42).
 *
 * <p>MLlib has no per-iteration callback, so time-to-accuracy comes from separate fits: L-BFGS is
 * deterministic for a fixed seed and {@code maxIter} only decides when it stops, so the fit with
 * {@code maxIter = k} is the first k iterations of any longer fit, and its wall time (a user's
 * {@code fit()} call, MLlib's own data preparation included) is the time to that model. The fits run
 * at the given ladder of iteration counts, stopping at the first that reaches the highest target;
 * then each target's bracket (the last count below it, the first at or above it) is halved while it
 * is wider than {@code resolution} iterations. {@code time_to_*} is the fit time of the first count
 * that reached the target (an upper bound of MLlib's true time, by at most one bracket);
 * {@code time_to_*_lower_seconds} is the fit time of the last count below it.
 */
final class MllibScalingRun {
    private static final double[] TARGETS = {0.95, 0.97};

    private MllibScalingRun() {
    }

    /** What one fit gave. */
    private record Fit(int iterations, double seconds, double accuracy) {
    }

    static ScalingResult run(JobConfig config, List<Integer> ladder, int resolution, int cores, int[] layers)
            throws Exception {
        long start = System.nanoTime();
        DataLoader data = new DataLoader(config.data(), config.model());
        SparkSession spark = Environment.spark("lamina bench scaling: mllib", "local[" + cores + "]");
        try {
            Dataset<Row> train = vectors(spark, data.images(true), cores).cache();
            Dataset<Row> test = vectors(spark, data.images(false), cores).cache();
            long rows = train.count();
            test.count();
            double setup = (System.nanoTime() - start) / 1e9;
            TreeMap<Integer, Fit> fits = new TreeMap<>();
            for (int k : ladder) {
                Fit fit = fit(train, test, layers, k);
                fits.put(k, fit);
                if (fit.accuracy() >= TARGETS[TARGETS.length - 1]) {
                    break;
                }
            }
            for (double target : TARGETS) {
                refine(fits, target, resolution, train, test, layers);
            }
            return result(fits, layers, cores, rows, setup);
        } finally {
            spark.stop();
        }
    }

    /** Halves the bracket around {@code target} while it is wider than {@code resolution} iterations. */
    private static void refine(TreeMap<Integer, Fit> fits, double target, int resolution, Dataset<Row> train,
                               Dataset<Row> test, int[] layers) {
        while (true) {
            Integer hi = firstReaching(fits, target);
            if (hi == null) {
                return;
            }
            Integer lo = fits.lowerKey(hi);
            int from = lo == null ? 0 : lo;
            if (hi - from <= resolution) {
                return;
            }
            int mid = (from + hi) / 2;
            fits.put(mid, fit(train, test, layers, mid));
        }
    }

    private static Integer firstReaching(TreeMap<Integer, Fit> fits, double target) {
        for (Fit f : fits.values()) {
            if (f.accuracy() >= target) {
                return f.iterations();
            }
        }
        return null;
    }

    private static Fit fit(Dataset<Row> train, Dataset<Row> test, int[] layers, int iterations) {
        MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(layers)
                .setBlockSize(128).setSeed(42L).setMaxIter(iterations);
        long t0 = System.nanoTime();
        MultilayerPerceptronClassificationModel model = mlp.fit(train);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
                .evaluate(model.transform(test));
        System.out.printf("mllib maxIter %d: fit %.1fs, test_accuracy %.4f%n", iterations, seconds, accuracy);
        return new Fit(iterations, seconds, accuracy);
    }

    private static ScalingResult result(TreeMap<Integer, Fit> fits, int[] layers, int cores, long rows, double setup) {
        Map<String, Object> m = ScalingResult.start("mllib", "mlp", cores, "l-bfgs");
        Fit last = fits.lastEntry().getValue();
        m.put("samples_per_second", rows * last.iterations() / last.seconds());
        m.put("epoch_seconds", last.seconds() / last.iterations());
        for (double target : TARGETS) {
            String key = "time_to_" + Math.round(target * 100);
            Integer hi = firstReaching(fits, target);
            m.put(key + "_seconds", hi == null ? null : fits.get(hi).seconds());
            Integer lo = hi == null ? null : fits.lowerKey(hi);
            m.put(key + "_lower_seconds", lo == null ? null : fits.get(lo).seconds());
            m.put(key + "_iterations", hi);
        }
        m.put("setup_seconds", setup);
        m.put("compute_seconds", null);
        m.put("comm_seconds", null);
        m.put("wait_seconds", null);
        m.put("fixed_seconds", null);
        m.put("test_accuracy", last.accuracy());
        m.put("layers", java.util.Arrays.stream(layers).boxed().toList());
        m.put("solver", "l-bfgs, blockSize 128, seed 42, sigmoid hidden layers");
        m.put("time_to_accuracy_method", "separate fits at maxIter = k (L-BFGS is deterministic; a fit of k"
                + " iterations is the first k of a longer one); time = fit() wall time of the first k reaching it");
        List<Object> curve = new ArrayList<>();
        for (Fit f : fits.values()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("iterations", f.iterations());
            point.put("fit_seconds", f.seconds());
            point.put("test_accuracy", f.accuracy());
            curve.add(point);
        }
        m.put("accuracy_curve", curve);
        return new ScalingResult(m);
    }

    /**
     * The images as MLlib wants them: a dense vector of pixels / 255 and a double label, in {@code slices}
     * partitions (the rows travel as bytes, as for Lamina, and become vectors on the executors).
     */
    static Dataset<Row> vectors(SparkSession spark, LabeledImages images, int slices) {
        UserDefinedFunction scale = functions.udf((UDF1<byte[], Vector>) bytes -> {
            double[] v = new double[bytes.length];
            for (int j = 0; j < bytes.length; j++) {
                v[j] = (bytes[j] & 0xFF) / 255.0;
            }
            return Vectors.dense(v);
        }, SQLDataTypes.VectorType());
        Dataset<Row> raw = DataLoader.frame(spark, images);
        return raw.select(scale.apply(raw.col(DataLoader.FEATURES)).as("features"),
                raw.col(DataLoader.LABEL).cast(DataTypes.DoubleType).as("label")).repartition(slices);
    }
}
