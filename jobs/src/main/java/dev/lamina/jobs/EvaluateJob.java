package dev.lamina.jobs;

import dev.lamina.driver.DistributedEvaluator;
import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.data.LabeledImages;
import dev.lamina.engine.io.Json;
import dev.lamina.worker.EvalStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/** {@code evaluate --model DIR --config FILE [--set key=value]... [--master URL]}: test metrics of a saved model. */
public final class EvaluateJob {

    private EvaluateJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("evaluate", t);
        }
    }

    /** Runs the job and returns the metrics (for tests and embedding); errors propagate. */
    public static Map<String, Object> run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, Set.of("model", "config", "master"));
        String dir = parsed.required("model");
        JobConfig config = parsed.config();
        LabeledImages test = new DataLoader(config.data()).images(false);
        SparkSession spark = Environment.spark("lamina evaluate", parsed.options().get("master"));
        try {
            ModelFiles.Saved saved = ModelFiles.read(dir, spark.sparkContext().hadoopConfiguration());
            EvalStats stats = DistributedEvaluator.evaluate(spark, DataLoader.frame(spark, test), DataLoader.FEATURES,
                    DataLoader.LABEL, saved.spec(), saved.parameters());
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("test_accuracy", stats.accuracy());
            metrics.put("test_loss", stats.meanLoss());
            metrics.put("test_samples", stats.count());
            ModelFiles.writeJson(dir + "/evaluation.json", metrics, spark.sparkContext().hadoopConfiguration());
            System.out.println(Json.write(metrics));
            return metrics;
        } finally {
            spark.stop();
        }
    }
}
