package dev.lamina.driver;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.ForwardStep;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.Targets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Scores every row of a DataFrame on the executors and keeps its other columns (the features column
 * is dropped): a classifier adds {@code prediction} (the class) and {@code probability} (per class);
 * a regression model adds {@code prediction}; an autoencoder adds {@code reconstruction_error}, the
 * row's mean squared reconstruction error (an anomaly score).
 */
public final class Predictions {
    static final int BATCH = 256;

    private Predictions() {
    }

    /**
     * The softmax of {@code classes} logits at {@code y[offset..]} into {@code probability}; returns
     * the index of the largest logit (the first of equals).
     */
    public static int softmax(float[] y, int offset, int classes, double[] probability) {
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int c = 0; c < classes; c++) {
            if (y[offset + c] > max) {
                max = y[offset + c];
                best = c;
            }
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            probability[c] = Math.exp(y[offset + c] - max);
            sum += probability[c];
        }
        for (int c = 0; c < classes; c++) {
            probability[c] /= sum;
        }
        return best;
    }

    /** The scored rows of {@code df}, whose features are in {@code featuresCol}. */
    public static Dataset<Row> score(Dataset<Row> df, String featuresCol, ModelSpec spec, float[] params) {
        StructType in = df.schema();
        int featureIndex = Arrays.asList(in.fieldNames()).indexOf(featuresCol);
        if (featureIndex < 0) {
            throw new IllegalArgumentException("features column '" + featuresCol + "' not found (columns: "
                    + String.join(", ", in.fieldNames()) + ")");
        }
        Targets targets = Targets.of(spec);
        if (targets == Targets.NEXT_TOKENS) {
            throw new IllegalArgumentException("a language model (loss " + spec.loss() + ") scores no rows (expected: a"
                    + " classifier, regression or autoencoder; sample text with lamina generate, or evaluate it)");
        }
        if (targets == Targets.NOISE) {
            throw new IllegalArgumentException("a diffusion model scores no rows (expected: a classifier, regression or"
                    + " autoencoder; its samples and sample_class_agreement come from lamina train)");
        }
        List<StructField> fields = new ArrayList<>();
        for (int i = 0; i < in.fields().length; i++) {
            if (i != featureIndex) {
                fields.add(in.fields()[i]);
            }
        }
        switch (targets) {
            case CLASSES -> {
                fields.add(DataTypes.createStructField("prediction", DataTypes.IntegerType, false));
                fields.add(DataTypes.createStructField("probability",
                        DataTypes.createArrayType(DataTypes.DoubleType, false), false));
            }
            case VALUES -> fields.add(DataTypes.createStructField("prediction", DataTypes.DoubleType, false));
            default -> fields.add(DataTypes.createStructField("reconstruction_error", DataTypes.DoubleType, false));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        Broadcast<float[]> weights = jsc.broadcast(params);
        JavaRDD<Row> rows = df.javaRDD().mapPartitions(new Scorer(spec, weights, featureIndex, targets));
        return df.sparkSession().createDataFrame(rows, DataTypes.createStructType(fields));
    }

    private record Scorer(ModelSpec spec, Broadcast<float[]> weights, int featureIndex, Targets targets)
            implements FlatMapFunction<Iterator<Row>, Row> {

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Model model = Model.of(spec);
            float[] params = weights.value();
            int width = spec.inputSize();
            List<Row> out = new ArrayList<>();
            List<Row> batch = new ArrayList<>(BATCH);
            ForwardStep full = null;
            float[] x = new float[BATCH * width];
            while (rows.hasNext()) {
                batch.add(rows.next());
                if (batch.size() == BATCH || !rows.hasNext()) {
                    ForwardStep step;
                    if (batch.size() == BATCH) {
                        full = full == null ? model.forwardStep(BATCH, params, KernelProvider.kernels()) : full;
                        step = full;
                    } else {
                        step = model.forwardStep(batch.size(), params, KernelProvider.kernels());
                    }
                    score(step, batch, width, x, out);
                    batch.clear();
                }
            }
            return out.iterator();
        }

        private void score(ForwardStep step, List<Row> batch, int width, float[] x, List<Row> out) {
            int n = batch.size();
            for (int r = 0; r < n; r++) {
                Featurizer.readFeatures(batch.get(r), featureIndex, r, width, x);
            }
            System.arraycopy(x, 0, step.features().data(), step.features().offset(), n * width);
            step.run();
            float[] y = step.output().data();
            int base = step.output().offset();
            int outWidth = step.output().size() / n;
            for (int r = 0; r < n; r++) {
                Row in = batch.get(r);
                List<Object> values = new ArrayList<>(in.length() + 1);
                for (int i = 0; i < in.length(); i++) {
                    if (i != featureIndex) {
                        values.add(in.get(i));
                    }
                }
                int o = base + r * outWidth;
                switch (targets) {
                    case CLASSES -> {
                        double[] p = new double[outWidth];
                        values.add(softmax(y, o, outWidth, p));
                        List<Double> probability = new ArrayList<>(outWidth);
                        for (double v : p) {
                            probability.add(v);
                        }
                        values.add(scala.jdk.javaapi.CollectionConverters.asScala(probability).toSeq());
                    }
                    case VALUES -> values.add((double) y[o]);
                    default -> {
                        double se = 0;
                        for (int i = 0; i < width; i++) {
                            double d = y[o + i] - x[r * width + i];
                            se += d * d;
                        }
                        values.add(se / width);
                    }
                }
                out.add(RowFactory.create(values.toArray()));
            }
        }
    }
}
