package dev.lamina.driver.ml;

import dev.lamina.driver.LaminaTrainer;
import dev.lamina.driver.TrainedModel;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.worker.TrainingConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Trains a Lamina model as a Spark ML pipeline stage. The model spec is its JSON form
 * ({@link ModelSpec#toJson()}); training uses barrier stages and the embedded parameter server, as
 * {@link LaminaTrainer} does, with {@code validationFraction} of the rows held out for the per-epoch
 * evaluation.
 */
public final class LaminaEstimator extends Estimator<LaminaModel> implements DefaultParamsWritable {
    private final String uid;
    private final Param<String> modelSpec;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final IntParam workers;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final Param<String> optimizer;
    private final DoubleParam learningRate;
    private final LongParam seed;
    private final DoubleParam validationFraction;

    public LaminaEstimator() {
        this(Identifiable$.MODULE$.randomUID("laminaEstimator"));
    }

    public LaminaEstimator(String uid) {
        this.uid = uid;
        modelSpec = new Param<>(this, "modelSpec", "the model spec as JSON");
        featuresCol = new Param<>(this, "featuresCol", "features column (binary, vector or array)");
        labelCol = new Param<>(this, "labelCol", "label column (class index)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column of the fitted model");
        workers = new IntParam(this, "workers", "training workers (barrier tasks)", ParamValidators.gtEq(1));
        epochs = new IntParam(this, "epochs", "passes over the data", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "global batch per step", ParamValidators.gtEq(1));
        optimizer = new Param<>(this, "optimizer", "sgd, adam, adamw or rmsprop");
        learningRate = new DoubleParam(this, "learningRate", "base learning rate", ParamValidators.gt(0));
        seed = new LongParam(this, "seed", "initialization and data-order seed");
        validationFraction = new DoubleParam(this, "validationFraction", "rows held out for per-epoch evaluation",
                ParamValidators.inRange(0, 0.5, false, true));
        TrainingConfig d = TrainingConfig.defaults();
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(workers, d.workers());
        setDefault(epochs, d.epochs());
        setDefault(batchSize, d.batchSize());
        setDefault(optimizer, d.optimizer().type());
        setDefault(learningRate, d.optimizer().learningRate());
        setDefault(seed, d.seed());
        setDefault(validationFraction, 0.1);
    }

    public Param<String> modelSpec() { return modelSpec; }
    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public IntParam workers() { return workers; }
    public IntParam epochs() { return epochs; }
    public IntParam batchSize() { return batchSize; }
    public Param<String> optimizer() { return optimizer; }
    public DoubleParam learningRate() { return learningRate; }
    public LongParam seed() { return seed; }
    public DoubleParam validationFraction() { return validationFraction; }

    public LaminaEstimator setModelSpec(ModelSpec spec) {
        set(modelSpec, spec.toJson());
        return this;
    }

    public LaminaEstimator setFeaturesCol(String v) {
        set(featuresCol, v);
        return this;
    }

    public LaminaEstimator setLabelCol(String v) {
        set(labelCol, v);
        return this;
    }

    public LaminaEstimator setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public LaminaEstimator setWorkers(int v) {
        set(workers, v);
        return this;
    }

    public LaminaEstimator setEpochs(int v) {
        set(epochs, v);
        return this;
    }

    public LaminaEstimator setBatchSize(int v) {
        set(batchSize, v);
        return this;
    }

    public LaminaEstimator setOptimizer(String v) {
        set(optimizer, v);
        return this;
    }

    public LaminaEstimator setLearningRate(double v) {
        set(learningRate, v);
        return this;
    }

    public LaminaEstimator setSeed(long v) {
        set(seed, v);
        return this;
    }

    public LaminaEstimator setValidationFraction(double v) {
        set(validationFraction, v);
        return this;
    }

    /** The training configuration these params describe (validated: bad values name the field). */
    public TrainingConfig trainingConfig() {
        OptimizerConfig opt = OptimizerConfig.defaults().withType($(optimizer)).withLearningRate((Double) $(learningRate));
        return TrainingConfig.defaults().withWorkers((Integer) $(workers)).withEpochs((Integer) $(epochs))
                .withBatchSize((Integer) $(batchSize)).withOptimizer(opt).withSeed((Long) $(seed));
    }

    private ModelSpec spec() {
        if (!isDefined(modelSpec)) {
            throw new IllegalArgumentException("modelSpec is not set (expected: setModelSpec(spec) before fit)");
        }
        return ModelSpec.fromJson($(modelSpec));
    }

    @Override
    public LaminaModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        ModelSpec spec = spec();
        TrainingConfig config = trainingConfig();
        double fraction = (Double) $(validationFraction);
        Dataset<Row> df = dataset.toDF();
        Dataset<Row>[] split = df.randomSplit(new double[] {1 - fraction, fraction}, (Long) $(seed));
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("estimator", uid);
        TrainedModel trained = new LaminaTrainer(dataset.sparkSession(), spec, config)
                .withColumns($(featuresCol), $(labelCol))
                .fit(split[0], split[1], provenance);
        LaminaModel model = new LaminaModel(uid, spec, trained.parameters());
        model.set(model.featuresCol(), $(featuresCol));
        model.set(model.predictionCol(), $(predictionCol));
        return model.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        spec();
        LaminaModel.requireColumn(schema, $(featuresCol));
        LaminaModel.requireColumn(schema, $(labelCol));
        return schema;
    }

    @Override
    public LaminaEstimator copy(ParamMap extra) {
        return (LaminaEstimator) defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }

    public static MLReader<LaminaEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static LaminaEstimator load(String path) {
        return read().load(path);
    }
}
