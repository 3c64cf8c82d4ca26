package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.TrainedModel;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ParameterView;
import dev.lamina.jobs.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CNN with batch normalization trained through the job: the parameter server never updates the
 * running statistics, so the driver collects them from the training data (precise batch norm)
 * before evaluating; without that, evaluation would normalize with 0 / 1 and fail.
 */
class BatchNormTrainingIT {

    @Test
    void batchNormCnnEvaluatesWithCollectedStatistics(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("bn.yaml");
        Files.writeString(config, String.join("\n",
                "data: {dataset: mnist, trainLimit: 2048, testLimit: 500}",
                "model:",
                "  input: [1, 28, 28]",
                "  layers:",
                "    - {type: conv2d, filters: 8, kernel: 3, padding: 1}",
                "    - {type: batchnorm}",
                "    - {type: relu}",
                "    - {type: maxpool2d, kernel: 2}",
                "    - {type: flatten}",
                "    - {type: linear, units: 10}",
                "training: {workers: 2, epochs: 2, batchSize: 64, optimizer: {type: sgd, learningRate: 0.05, momentum: 0.9}}",
                ""));
        TrainedModel model = TrainJob.run(new String[] {"--config", config.toString(), "--output",
            tmp.resolve("out").toString(), "--master", "local[2]"});
        double accuracy = ((Number) model.metrics().get("test_accuracy")).doubleValue();
        assertTrue(accuracy > 0.85, "test accuracy " + accuracy);
        Model m = Model.of(model.spec());
        ParameterView var = m.parameters().stream().filter(p -> p.name().endsWith("running_var")).findFirst().orElseThrow();
        boolean collected = false;
        for (int i = 0; i < var.size(); i++) {
            collected |= model.parameters()[var.offset() + i] != 1f;
        }
        assertTrue(collected, "running_var was collected, not left at its initial 1");
    }
}
