package dev.lamina.driver;

import dev.lamina.worker.EvalStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Spark MLlib baselines on the data a Lamina model trains on: for classes, logistic regression, a
 * random forest and (two classes only: MLlib's GBTClassifier is binary-only) gradient-boosted trees;
 * for values, linear regression, a random forest and gradient-boosted trees. Each is fitted on the
 * training frame and scored on the test frame; the metrics are the ones Lamina reports for its own
 * models (accuracy, macro F1 and log-loss from the same {@link EvalStats}; MSE and MAE).
 */
public final class MllibBaselines {
    static final String VECTOR = "baseline_features";
    static final String LABEL = "baseline_label";

    private MllibBaselines() {
    }

    /**
     * Model sizes: trees per forest, tree depth, and iterations (logistic and linear regression, boosting rounds).
     */
    public record Options(int trees, int depth, int iterations, long seed) {
        public Options {
            if (trees < 1 || depth < 1 || depth > 30 || iterations < 1) {
                throw new IllegalArgumentException("baseline trees, depth, iterations : " + trees + ", " + depth + ", "
                        + iterations + " (expected: trees >= 1, depth in [1, 30], iterations >= 1)");
            }
        }
    }

    /**
     * One baseline's result.
     *
     * @param model   its name
     * @param metrics accuracy, macro_f1, log_loss (classes) or mse, mae (values); empty when not run
     * @param seconds the wall time of its fit
     * @param note    why it was not run, or empty
     */
    public record Result(String model, Map<String, Double> metrics, double seconds, String note) {
    }

    /** Fits and scores every baseline the task allows; {@code classes} 0 means regression. */
    public static List<Result> run(Dataset<Row> train, Dataset<Row> test, String featuresCol, String labelCol, int width,
                                   int classes, Options o) {
        Dataset<Row> tr = vectors(train, featuresCol, labelCol, width).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> te = vectors(test, featuresCol, labelCol, width).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            tr.count();
            te.count();
            List<Result> out = new ArrayList<>();
            if (classes > 0) {
                out.add(fit("logistic regression", new LogisticRegression().setMaxIter(o.iterations()), tr, te, classes));
                out.add(fit("random forest", new RandomForestClassifier().setNumTrees(o.trees()).setMaxDepth(o.depth())
                        .setSeed(o.seed()), tr, te, classes));
                out.add(classes == 2
                        ? fit("gradient-boosted trees", new GBTClassifier().setMaxIter(o.iterations()).setMaxDepth(
                                Math.min(o.depth(), 5)).setSeed(o.seed()), tr, te, classes)
                        : new Result("gradient-boosted trees", Map.of(), 0, "not run: MLlib's GBTClassifier is binary-only ("
                                + classes + " classes)"));
            } else {
                out.add(fit("linear regression", new LinearRegression().setMaxIter(o.iterations()), tr, te, 0));
                out.add(fit("random forest", new RandomForestRegressor().setNumTrees(o.trees()).setMaxDepth(o.depth())
                        .setSeed(o.seed()), tr, te, 0));
                out.add(fit("gradient-boosted trees", new GBTRegressor().setMaxIter(o.iterations()).setMaxDepth(
                        Math.min(o.depth(), 5)).setSeed(o.seed()), tr, te, 0));
            }
            return out;
        } finally {
            tr.unpersist();
            te.unpersist();
        }
    }

    /** The frame as MLlib wants it: a dense vector column and a double label. */
    private static Dataset<Row> vectors(Dataset<Row> df, String featuresCol, String labelCol, int width) {
        StructType schema = new StructType().add(VECTOR, new VectorUDT(), false).add(LABEL, DataTypes.DoubleType, false);
        org.apache.spark.api.java.JavaRDD<Row> rows = df.select(featuresCol, labelCol).javaRDD().map(r -> {
            float[] f = new float[width];
            Featurizer.readFeatures(r, 0, 0, width, f);
            double[] d = new double[width];
            for (int i = 0; i < width; i++) {
                d[i] = f[i];
            }
            return RowFactory.create(Vectors.dense(d), ((Number) r.get(1)).doubleValue());
        });
        return df.sparkSession().createDataFrame(rows, schema);
    }

    private static Result fit(String name, Estimator<?> estimator, Dataset<Row> train, Dataset<Row> test, int classes) {
        estimator.set(estimator.getParam("featuresCol"), VECTOR);
        estimator.set(estimator.getParam("labelCol"), LABEL);
        long t0 = System.nanoTime();
        Transformer model = estimator.fit(train);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Dataset<Row> scored = model.transform(test);
        return new Result(name, classes > 0 ? classification(scored, classes) : regression(scored), seconds, "");
    }

    /**
     * Accuracy, macro F1 and log-loss from the predictions and the probability of the true class; for
     * two classes also the ROC AUC from the probabilities' log-odds.
     */
    private static Map<String, Double> classification(Dataset<Row> scored, int classes) {
        List<Row> rows = scored.select(LABEL, "prediction", "probability").javaRDD().map(r -> {
            int label = (int) r.getDouble(0);
            Vector probability = (Vector) r.get(2);
            double p = probability.apply(label);
            double margin = classes == 2 ? Math.log(Math.max(probability.apply(1), 1e-15))
                    - Math.log(Math.max(probability.apply(0), 1e-15)) : 0;
            return RowFactory.create(label, (int) r.getDouble(1), -Math.log(Math.max(p, 1e-15)), margin);
        }).collect();
        int n = rows.size();
        int[] predicted = new int[n];
        float[] labels = new float[n];
        float[] outputs = new float[2 * n];
        double lossSum = 0;
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            labels[i] = r.getInt(0);
            predicted[i] = r.getInt(1);
            lossSum += r.getDouble(2);
            outputs[2 * i + 1] = (float) r.getDouble(3);
        }
        EvalStats s = EvalStats.empty(classes).add(n, predicted, labels, 0, n == 0 ? 0 : lossSum / n,
                classes == 2 ? outputs : null, 0);
        return metrics(s);
    }

    /** The metrics Lamina reports for a classifier's evaluation. */
    public static Map<String, Double> metrics(EvalStats s) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", s.accuracy());
        m.put("macro_f1", s.macroF1());
        m.put("log_loss", s.meanLoss());
        if (Double.isFinite(s.rocAuc())) {
            m.put("roc_auc", s.rocAuc());
        }
        return m;
    }

    /** MSE and MAE of a frame's {@code prediction} against {@code label}. */
    public static Map<String, Double> regression(Dataset<Row> scored, String label) {
        Row r = scored.select(functions.avg(functions.pow(functions.col("prediction").minus(functions.col(label)), 2)),
                functions.avg(functions.abs(functions.col("prediction").minus(functions.col(label))))).first();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mse", r.getDouble(0));
        m.put("mae", r.getDouble(1));
        return m;
    }

    private static Map<String, Double> regression(Dataset<Row> scored) {
        return regression(scored, LABEL);
    }
}
