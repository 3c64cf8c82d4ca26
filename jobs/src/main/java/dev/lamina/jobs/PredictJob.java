package dev.lamina.jobs;

import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.Predictions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code predict --model DIR --config FILE --output PATH [--format parquet|json|csv] [--set key=value]...
 * [--master URL]}: scores the job file's test data with a trained model on the executors and writes
 * one row per input row (its columns but the features, plus the prediction and probabilities, or the
 * reconstruction error of an autoencoder). CSV cannot hold the probability arrays: they are left out.
 */
public final class PredictJob {
    static final List<String> FORMATS = List.of("parquet", "json", "csv");

    private PredictJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("predict", t);
        }
    }

    /** Runs the job and returns the number of rows written; errors propagate. */
    public static long run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, Set.of("model", "config", "output", "format", "master"));
        String dir = parsed.required("model");
        String output = parsed.required("output");
        String format = parsed.options().getOrDefault("format", "parquet").toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("--format " + format + " (expected one of: " + String.join(", ", FORMATS) + ")");
        }
        JobConfig config = parsed.config();
        SparkSession spark = Environment.spark("lamina predict", parsed.options().get("master"));
        try {
            ModelFiles.Saved saved = ModelFiles.read(dir, spark.sparkContext().hadoopConfiguration());
            DataLoader.Split data = new DataLoader(config.data(), config.model()).split(spark, false);
            Dataset<Row> scored = Predictions.score(data.frame(), DataLoader.FEATURES, saved.spec(), saved.parameters());
            if (format.equals("csv") && List.of(scored.columns()).contains("probability")) {
                scored = scored.drop("probability");
            }
            scored.write().mode("errorifexists").option("header", "true").format(format).save(output);
            long rows = data.count();
            System.out.println("lamina predict: wrote " + rows + " rows (" + String.join(", ", scored.columns()) + ") to "
                    + output + " as " + format);
            return rows;
        } finally {
            spark.stop();
        }
    }
}
