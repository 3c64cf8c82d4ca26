package dev.lamina.jobs;

import dev.lamina.driver.data.FashionMnist;
import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Loads the configured dataset as DataFrames with a binary {@code features} and an int {@code label} column. */
final class DataLoader {
    static final String FEATURES = "features";
    static final String LABEL = "label";

    private final DataConfig config;

    DataLoader(DataConfig config) {
        this.config = config;
    }

    /** Reads (fetching on first use) the split; for provenance, the images' fingerprint is kept. */
    LabeledImages images(boolean train) throws IOException {
        int limit = train ? config.trainLimit() : config.testLimit();
        Path cache = Path.of(config.cache());
        if (config.dataset().equals("fashion-mnist")) {
            return FashionMnist.load(cache, train, limit);
        }
        return limit == 0 ? Mnist.load(cache, train) : Mnist.load(cache, train, limit);
    }

    static Dataset<Row> frame(SparkSession spark, LabeledImages images) {
        StructType schema = new StructType()
                .add(FEATURES, DataTypes.BinaryType, false)
                .add(LABEL, DataTypes.IntegerType, false);
        int width = images.features();
        List<Row> rows = new ArrayList<>(images.count());
        for (int i = 0; i < images.count(); i++) {
            byte[] pixels = new byte[width];
            System.arraycopy(images.pixels(), i * width, pixels, 0, width);
            rows.add(RowFactory.create(pixels, images.labels()[i]));
        }
        // Slices of under 1 MB each: the rows travel inside the tasks, and Spark warns above that.
        int slices = (int) Math.max(1, (long) images.count() * (width + 64) / (768 * 1024) + 1);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, slices), schema);
    }
}
