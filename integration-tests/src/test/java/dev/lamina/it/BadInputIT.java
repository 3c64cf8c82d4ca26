package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.LaminaTrainer;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each kind of bad input is refused before training, with what, how many and an example. */
class BadInputIT {
    private static final ModelSpec SPEC = ModelSpec.mlp(4, 8, 3);
    private static final TrainingConfig CONFIG = TrainingConfig.defaults().withWorkers(2).withEpochs(1).withBatchSize(8);
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("BadInputIT").config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Dataset<Row> frame(IntFunction<Object[]> row) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(RowFactory.create(row.apply(i)));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType), true)
                .add("label", DataTypes.IntegerType, true);
        return spark.createDataFrame(rows, schema);
    }

    private static Object[] good(int i) {
        return new Object[] {List.of(1f * (i % 3), 0.5f, -0.5f, 0f).toArray(new Float[0]), i % 3};
    }

    private static String failure(Dataset<Row> train) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LaminaTrainer(spark, SPEC, CONFIG).fit(train, frame(BadInputIT::good), Map.of()));
        return e.getMessage();
    }

    @Test
    void missingColumnIsNamed() {
        String m = failure(frame(BadInputIT::good).withColumnRenamed("features", "pixels"));
        assertTrue(m.contains("features column 'features' not found") && m.contains("pixels"), m);
    }

    @Test
    void wrongTypeIsNamed() {
        String m = failure(frame(BadInputIT::good).withColumn("label", org.apache.spark.sql.functions.lit("cat")));
        assertTrue(m.contains("label column 'label' has type string"), m);
    }

    @Test
    void wrongLengthIsCountedWithAnExample() {
        String m = failure(frame(i -> i % 25 == 7 ? new Object[] {new Float[] {1f, 2f, 3f}, 0} : good(i)));
        assertTrue(m.contains("4 bad row(s) of 100") && m.contains("4 rows with a feature vector of the wrong length")
                && m.contains("length 3") && m.contains("expected: 4"), m);
    }

    @Test
    void nonFiniteFeaturesAreCounted() {
        String m = failure(frame(i -> i == 42 ? new Object[] {new Float[] {1f, Float.NaN, 3f, 4f}, 1} : good(i)));
        assertTrue(m.contains("1 bad row(s) of 100") && m.contains("non-finite") && m.contains("NaN"), m);
    }

    @Test
    void labelsOutsideTheClassRangeAreCounted() {
        String m = failure(frame(i -> i % 10 == 0 ? new Object[] {good(i)[0], 7} : good(i)));
        assertTrue(m.contains("10 rows with a label outside [0, 3)") && m.contains("label 7.0"), m);
    }

    @Test
    void severalKindsAreAllReported() {
        String m = failure(frame(i -> i == 1 ? new Object[] {null, 0} : i == 2 ? new Object[] {good(i)[0], null} : good(i)));
        assertTrue(m.contains("2 bad row(s)") && m.contains("null features") && m.contains("null label"), m);
    }
}
