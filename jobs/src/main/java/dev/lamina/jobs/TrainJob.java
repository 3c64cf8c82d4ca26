package dev.lamina.jobs;

import dev.lamina.driver.DistributedEvaluator;
import dev.lamina.driver.HtmlReport;
import dev.lamina.driver.LaminaTrainer;
import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.TrainedModel;
import dev.lamina.driver.data.LabeledImages;
import dev.lamina.engine.io.Json;
import dev.lamina.worker.EvalStats;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** {@code train --config FILE [--set key=value]... [--output DIR] [--master URL]}. */
public final class TrainJob {

    private TrainJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("train", t);
        }
    }

    /** Runs the job and returns the model (for tests and embedding); errors propagate. */
    public static TrainedModel run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, Set.of("config", "output", "master"));
        JobConfig config = parsed.config();
        DataLoader data = new DataLoader(config.data());
        LabeledImages train = data.images(true);
        LabeledImages test = data.images(false);
        System.out.printf("lamina train: %s, %d train / %d test samples, %d workers, %d epochs, global batch %d, %s%n",
                config.data().dataset(), train.count(), test.count(), config.training().workers(),
                config.training().epochs(), config.training().batchSize(), config.training().optimizer().type());
        SparkSession spark = Environment.spark("lamina train", parsed.options().get("master"));
        try {
            Map<String, Object> provenance = Environment.provenance();
            provenance.put("config", config.source());
            provenance.put("dataFingerprint", Map.of("train", train.fingerprint(), "test", test.fingerprint()));
            Dataset<Row> testFrame = DataLoader.frame(spark, test);
            TrainedModel model = new LaminaTrainer(spark, config.model(), config.training())
                    .withColumns(DataLoader.FEATURES, DataLoader.LABEL)
                    .withProgress(r -> System.out.println(r.line()))
                    .fit(DataLoader.frame(spark, train), testFrame, provenance);
            EvalStats evaluation = DistributedEvaluator.evaluate(spark, testFrame, DataLoader.FEATURES, DataLoader.LABEL,
                    model.spec(), model.parameters());
            String dir = config.output().dir();
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            ModelFiles.write(model, dir, hadoop);
            ModelFiles.writeText(dir + "/" + ModelFiles.HISTORY, ModelFiles.historyLines(model), hadoop);
            ModelFiles.writeText(dir + "/" + ModelFiles.REPORT,
                    HtmlReport.render("Lamina: " + dir, model, evaluation), hadoop);
            System.out.println("lamina train: wrote " + dir + " (" + String.join(", ", ModelFiles.MODEL_JSON,
                    ModelFiles.WEIGHTS, ModelFiles.METRICS, ModelFiles.HISTORY, ModelFiles.REPORT) + ")");
            System.out.println(Json.write(model.metrics()));
            return model;
        } finally {
            spark.stop();
        }
    }
}
