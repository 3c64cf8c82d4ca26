package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.TrainedModel;
import dev.lamina.jobs.EvaluateJob;
import dev.lamina.jobs.PredictJob;
import dev.lamina.jobs.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped convolutional autoencoder on real Fashion-MNIST (a subset, two epochs): it trains to
 * reconstruct its input, reports test_mse instead of accuracy, and evaluates to the same figure.
 */
class FashionAutoencoderIT {
    private static final String CONFIG = Path.of("..", "conf", "fashion-autoencoder.yaml").toString();

    @Test
    void reconstructsItsInputAndReportsTheMse(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("ae");
        TrainedModel model = TrainJob.run(new String[] {"--config", CONFIG, "--output", out.toString(),
            "--master", "local[2]", "--set", "data.trainLimit=4096", "--set", "data.testLimit=1000",
            "--set", "training.epochs=2"});
        Map<String, Object> m = model.metrics();
        double mse = ((Number) m.get("test_mse")).doubleValue();
        System.out.printf("FashionAutoencoderIT: test_mse %.5f after 2 epochs on 4096 images%n", mse);
        assertTrue(mse < 0.06, "test_mse " + mse);
        assertEquals(((Number) m.get("test_loss")).doubleValue(), mse, 0);
        assertFalse(m.containsKey("test_accuracy"), "no accuracy without classes: " + m);
        assertTrue(model.history().get(1).testLoss() < model.history().get(0).testLoss(), "the test loss falls");
        String history = Files.readString(out.resolve("history.jsonl"));
        assertTrue(history.contains("\"test_accuracy\":null"), history);
        assertFalse(Files.readString(out.resolve("report.html")).contains("Confusion matrix"));
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(out.resolve("reconstructions.png").toFile());
        assertEquals(16 * (28 * 3 + 2) + 2, png.getWidth(), "16 images across");
        assertEquals(2 * (28 * 3 + 2) + 2, png.getHeight(), "inputs over reconstructions");

        Map<String, Object> evaluated = EvaluateJob.run(new String[] {"--model", out.toString(), "--config", CONFIG,
            "--master", "local[2]", "--set", "data.testLimit=1000"});
        assertEquals(mse, ((Number) evaluated.get("test_mse")).doubleValue(), 1e-9);

        // predict: one anomaly score per test row, whose mean is the evaluated mse.
        Path scores = tmp.resolve("scores");
        long rows = PredictJob.run(new String[] {"--model", out.toString(), "--config", CONFIG, "--output",
            scores.toString(), "--master", "local[2]", "--set", "data.testLimit=1000"});
        assertEquals(1000, rows);
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().master("local[2]")
                .appName("read scores").getOrCreate();
        try {
            org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df = spark.read().parquet(scores.toString());
            assertEquals(java.util.List.of("label", "reconstruction_error"), java.util.List.of(df.columns()));
            assertEquals(1000, df.count());
            double mean = df.agg(org.apache.spark.sql.functions.avg("reconstruction_error")).first().getDouble(0);
            System.out.printf("FashionAutoencoderIT: mean reconstruction_error %.6f vs test_mse %.6f%n", mean, mse);
            assertEquals(mse, mean, 1e-5);
        } finally {
            spark.stop();
        }
    }
}
