package dev.lamina.driver.ml;

import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.TrainedModel;
import dev.lamina.engine.nn.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * A trained Lamina classifier as a Spark ML model: {@code transform} appends {@code prediction}
 * (double), {@code probability} and {@code rawPrediction} (ML vectors) columns, running the engine
 * on the executors with the parameters broadcast once per call.
 */
public final class LaminaModel extends Model<LaminaModel> implements MLWritable {
    private final String uid;
    private final ModelSpec spec;
    private final float[] parameters;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;

    public LaminaModel(String uid, ModelSpec spec, float[] parameters) {
        this.uid = uid;
        this.spec = spec;
        this.parameters = parameters.clone();
        featuresCol = new Param<>(this, "featuresCol", "features column (binary, vector or array)");
        predictionCol = new Param<>(this, "predictionCol", "predicted class index");
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "logits");
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }

    public LaminaModel setFeaturesCol(String v) {
        set(featuresCol, v);
        return this;
    }

    public LaminaModel setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** A copy of the flat parameter buffer. */
    public float[] parameters() {
        return parameters.clone();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Dataset<Row> df = dataset.toDF();
        int featureIndex = df.schema().fieldIndex($(featuresCol));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        Broadcast<float[]> weights = jsc.broadcast(parameters);
        JavaRDD<Row> rows = df.javaRDD().mapPartitions(new PredictPartition(spec, weights, featureIndex));
        return df.sparkSession().createDataFrame(rows, out);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireColumn(schema, $(featuresCol));
        for (String c : List.of($(predictionCol), $(probabilityCol), $(rawPredictionCol))) {
            if (Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("output column '" + c + "' already exists (expected: a new column name)");
            }
        }
        return schema.add(new StructField($(predictionCol), DataTypes.DoubleType, false, org.apache.spark.sql.types.Metadata.empty()))
                .add(new StructField($(probabilityCol), SQLDataTypes.VectorType(), false, org.apache.spark.sql.types.Metadata.empty()))
                .add(new StructField($(rawPredictionCol), SQLDataTypes.VectorType(), false, org.apache.spark.sql.types.Metadata.empty()));
    }

    static void requireColumn(StructType schema, String name) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("column '" + name + "' not found (columns: " + Arrays.toString(schema.fieldNames()) + ")");
        }
    }

    @Override
    public LaminaModel copy(ParamMap extra) {
        LaminaModel copy = new LaminaModel(uid, spec, parameters);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<LaminaModel> read() {
        return new Reader();
    }

    public static LaminaModel load(String path) {
        return read().load(path);
    }

    /** Saves Spark's params metadata plus the model directory (model.json, weights.safetensors) under path/data. */
    private static final class Writer extends MLWriter {
        private final LaminaModel model;

        Writer(LaminaModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(model, path, sparkSession());
            TrainedModel trained = new TrainedModel(model.spec, model.parameters, List.of(), Map.of(),
                    Map.of("uid", model.uid));
            try {
                ModelFiles.write(trained, path + "/data", sparkSession().sparkContext().hadoopConfiguration());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save the Lamina model to " + path + ": " + e.getMessage(), e);
            }
        }
    }

    private static final class Reader extends MLReader<LaminaModel> {
        @Override
        public LaminaModel load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    LaminaModel.class.getName());
            ModelFiles.Saved saved;
            try {
                saved = ModelFiles.read(path + "/data", sparkSession().sparkContext().hadoopConfiguration());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load a Lamina model from " + path + ": " + e.getMessage(), e);
            }
            LaminaModel model = new LaminaModel(metadata.uid(), saved.spec(), saved.parameters());
            metadata.getAndSetParams(model, Option.empty());
            return model;
        }
    }
}
