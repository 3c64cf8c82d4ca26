package dev.lamina.driver;

import dev.lamina.engine.nn.ModelSpec;
import java.util.List;
import java.util.Map;

/**
 * The result of training: the spec, the final parameters (one flat buffer), the per-epoch history,
 * the final metrics and the provenance that goes into model.json.
 *
 * @param spec       the model
 * @param parameters the flat parameter buffer
 * @param history    one report per epoch
 * @param metrics    flat final metrics (metrics.json)
 * @param provenance config, seed, data fingerprint, code version, JVM and OS
 */
public record TrainedModel(ModelSpec spec, float[] parameters, List<EpochReport> history, Map<String, Object> metrics,
                           Map<String, Object> provenance) {
}
