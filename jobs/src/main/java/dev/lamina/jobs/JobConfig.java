package dev.lamina.jobs;

import dev.lamina.driver.EarlyStopping;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.TrainingConfig;
import java.util.Map;

/**
 * A whole job file, validated: every section is checked when this record is made, before Spark starts.
 *
 * @param data     the data
 * @param model    the model spec
 * @param training how to train
 * @param output   where results go
 * @param earlyStopping when to stop training early (off by default)
 * @param samples  what a diffusion model's job samples after training (defaults for other models, unused)
 * @param source   the parsed YAML after overrides (recorded as provenance)
 */
public record JobConfig(DataConfig data, ModelSpec model, TrainingConfig training, OutputConfig output,
                        EarlyStopping.Config earlyStopping, SamplesConfig samples, Map<String, Object> source) {

    public JobConfig {
        if (earlyStopping.enabled() && data.validationFraction() == 0) {
            throw new IllegalArgumentException("training.earlyStopping.patience : " + earlyStopping.patience()
                    + " with data.validationFraction : 0 (expected: a validation split > 0, so that early stopping"
                    + " does not choose the epoch on the test data)");
        }
        if (data.trainLimit() > 0 && data.trainLimit() < training.batchSize()) {
            throw new IllegalArgumentException("data.trainLimit : " + data.trainLimit()
                    + " (expected: 0 or >= training.batchSize = " + training.batchSize() + ")");
        }
    }
}
