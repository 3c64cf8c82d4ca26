package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.TrainedModel;
import dev.lamina.jobs.EvaluateJob;
import dev.lamina.jobs.PredictJob;
import dev.lamina.jobs.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped class-conditional diffusion model on real MNIST (2,048 images, two epochs): it learns
 * to predict the velocity v (test_mse well under the 0.946 of predicting v = 0 on MNIST's test
 * images, mean x0^2 0.926 over the 1,000-step schedule), trains its classifier first
 * from a job file, samples on the executors, writes the grid and the agreement figures; evaluate
 * reproduces the test loss; predict refuses it; a missing classifier fails before any training.
 */
class DiffusionIT {
    private static final String CONFIG = Path.of("..", "conf", "mnist-diffusion.yaml").toString();

    private static final String CLASSIFIER = String.join("\n",
            "data: {dataset: mnist, trainLimit: 4096, testLimit: 1000}",
            "model:",
            "  input: [1, 28, 28]",
            "  layers: [{type: flatten}, {type: linear, units: 64}, {type: relu}, {type: linear, units: 10}]",
            "  loss: softmax-cross-entropy",
            "training: {workers: 2, epochs: 2, batchSize: 64, optimizer: {type: adam, learningRate: 0.003}}",
            "");

    @Test
    void trainsSamplesAndScoresItsSamples(@TempDir Path tmp) throws Exception {
        Path classifierJob = tmp.resolve("classifier.yaml");
        Files.writeString(classifierJob, CLASSIFIER);
        Path classifier = tmp.resolve("classifier");
        Path out = tmp.resolve("diffusion");
        TrainedModel model = TrainJob.run(new String[] {"--config", CONFIG, "--output", out.toString(),
            "--master", "local[2]", "--set", "data.trainLimit=2048", "--set", "data.testLimit=512",
            "--set", "training.epochs=2", "--set", "samples.perClass=4", "--set", "samples.steps=10",
            "--set", "samples.classifier=" + classifier, "--set", "samples.classifierConfig=" + classifierJob});
        Map<String, Object> m = model.metrics();
        double mse = ((Number) m.get("test_mse")).doubleValue();
        double agreement = ((Number) m.get("sample_class_agreement")).doubleValue();
        double classifierAccuracy = ((Number) m.get("classifier_test_accuracy")).doubleValue();
        System.out.printf("DiffusionIT: test_mse %.4f after 2 epochs on 2048 images; sample_class_agreement %.3f;"
                + " classifier test_accuracy %.4f%n", mse, agreement, classifierAccuracy);
        assertTrue(mse < 0.6, "velocity-prediction test_mse " + mse + " (predicting 0 scores 0.946)");
        assertTrue(model.history().get(1).testLoss() < model.history().get(0).testLoss(), "the test loss falls");
        assertFalse(m.containsKey("test_accuracy"), m.toString());
        assertTrue(Files.exists(classifier.resolve("model.json")), "the classifier was trained into its directory");
        assertTrue(classifierAccuracy > 0.8, "classifier test_accuracy " + classifierAccuracy);
        assertEquals(40L, ((Number) m.get("samples")).longValue());
        assertTrue(agreement >= 0 && agreement <= 1, "agreement " + agreement);
        List<?> perClass = (List<?>) m.get("sample_class_agreement_per_class");
        assertEquals(10, perClass.size());
        double mean = perClass.stream().mapToDouble(v -> ((Number) v).doubleValue()).average().orElseThrow();
        assertEquals(agreement, mean, 1e-9, "equal classes: the overall share is the mean of the per-class shares");
        String onDisk = Files.readString(out.resolve("metrics.json"));
        assertTrue(onDisk.contains("\"sample_class_agreement\""), onDisk);
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(out.resolve("samples.png").toFile());
        assertEquals(4 * (28 * 3 + 2) + 2, png.getWidth(), "4 samples across");
        assertEquals(10 * (28 * 3 + 2) + 2, png.getHeight(), "a row per class");

        // The evaluation noise is fixed by the row and the samples by their seed, so evaluate reproduces both.
        byte[] trainingGrid = Files.readAllBytes(out.resolve("samples.png"));
        Map<String, Object> evaluated = EvaluateJob.run(new String[] {"--model", out.toString(), "--config", CONFIG,
            "--master", "local[2]", "--set", "data.testLimit=512", "--set", "samples.perClass=4",
            "--set", "samples.steps=10", "--set", "samples.classifier=" + classifier});
        assertEquals(mse, ((Number) evaluated.get("test_mse")).doubleValue(), 1e-9);
        assertEquals(agreement, ((Number) evaluated.get("sample_class_agreement")).doubleValue(), 1e-12);
        assertTrue(Files.exists(out.resolve("evaluation-samples.png")), "evaluate writes its own grid");
        assertTrue(java.util.Arrays.equals(trainingGrid, Files.readAllBytes(out.resolve("samples.png"))),
                "the training grid is left as it was");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PredictJob.run(
                new String[] {"--model", out.toString(), "--config", CONFIG, "--output", tmp.resolve("p").toString(),
                    "--master", "local[2]", "--set", "data.testLimit=512"}));
        assertTrue(refused.getMessage().contains("a diffusion model scores no rows"), refused.getMessage());
    }

    @Test
    void aMissingClassifierFailsBeforeTraining(@TempDir Path tmp) {
        Path out = tmp.resolve("diffusion");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(new String[] {
            "--config", CONFIG, "--output", out.toString(), "--master", "local[2]", "--set", "data.trainLimit=256",
            "--set", "data.testLimit=128", "--set", "samples.classifier=" + tmp.resolve("nothing"),
            "--set", "samples.classifierConfig="}));
        assertTrue(e.getMessage().startsWith("samples.classifier : " + tmp.resolve("nothing") + " holds no model.json"),
                e.getMessage());
        assertFalse(Files.exists(out.resolve("model.json")), "nothing was trained");
    }
}
