package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
import dev.lamina.driver.ml.LaminaEstimator;
import dev.lamina.driver.ml.LaminaModel;
import dev.lamina.engine.nn.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.MinMaxScaler;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Pipeline of a feature transformer (MinMaxScaler) and LaminaEstimator: fit, save, load, transform. */
class PipelineEstimatorIT {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("PipelineEstimatorIT")
                .config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Dataset<Row> frame(LabeledImages images) {
        List<Row> rows = new ArrayList<>();
        int w = images.features();
        for (int i = 0; i < images.count(); i++) {
            double[] v = new double[w];
            for (int j = 0; j < w; j++) {
                v[j] = images.pixel(i, j);
            }
            rows.add(RowFactory.create(Vectors.dense(v), (double) images.labels()[i]));
        }
        StructType schema = new StructType().add("pixels", new VectorUDT(), false).add("label", DataTypes.DoubleType, false);
        return spark.createDataFrame(rows, schema);
    }

    @Test
    void fitSaveLoadTransform(@TempDir Path tmp) throws Exception {
        Path cache = TestCache.dir();
        Dataset<Row> train = frame(Mnist.load(cache, true, 2048));
        Dataset<Row> test = frame(Mnist.load(cache, false, 500));
        MinMaxScaler scaler = new MinMaxScaler().setInputCol("pixels").setOutputCol("features");
        LaminaEstimator lamina = new LaminaEstimator().setModelSpec(ModelSpec.mlp(784, 64, 10))
                .setWorkers(2).setEpochs(4).setBatchSize(64).setSeed(7);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {scaler, lamina});
        PipelineModel fitted = pipeline.fit(train);

        List<Row> before = fitted.transform(test).select("prediction", "label").collectAsList();
        long correct = before.stream().filter(r -> r.getDouble(0) == r.getDouble(1)).count();
        assertTrue(correct > 0.8 * before.size(), "accuracy " + (double) correct / before.size());

        String path = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        assertEquals(2, loaded.stages().length);
        LaminaModel model = (LaminaModel) loaded.stages()[1];
        assertArrayEquals(((LaminaModel) fitted.stages()[1]).parameters(), model.parameters());
        List<Row> after = loaded.transform(test).select("prediction", "label").collectAsList();
        assertEquals(before, after);
        assertTrue(loaded.transform(test).columns().length == test.columns().length + 4,
                "features, prediction, probability and rawPrediction are added");

        String estimatorPath = tmp.resolve("estimator").toString();
        lamina.write().save(estimatorPath);
        assertEquals(7L, (long) (Long) LaminaEstimator.load(estimatorPath).getOrDefault(lamina.seed()));
    }
}
