package dev.lamina.driver.registry;

import java.util.Map;

/**
 * One registry version as its {@code version.json} describes it (written once, never changed).
 *
 * @param version  the number, from 1
 * @param runId    the retrain run that made it
 * @param created  when (ISO-8601)
 * @param parent   the version it was warm-started from, 0 when trained from scratch
 * @param outcome  what its run decided: promoted, kept or blocked
 * @param metric   the metric the run compared (e.g. test_accuracy)
 * @param value    this version's value of it on the run's held-out data
 * @param rows     training rows
 * @param info     the whole file (metrics, data fingerprint, decision)
 */
public record RegistryVersion(int version, String runId, String created, int parent, String outcome, String metric,
                              double value, long rows, Map<String, Object> info) {

    @SuppressWarnings("unchecked")
    static RegistryVersion fromMap(Map<?, ?> m) {
        Object value = m.get("value");
        return new RegistryVersion(((Number) m.get("version")).intValue(), String.valueOf(m.get("runId")),
                String.valueOf(m.get("created")), ((Number) m.get("parent")).intValue(), String.valueOf(m.get("outcome")),
                String.valueOf(m.get("metric")), value instanceof Number n ? n.doubleValue() : Double.NaN,
                ((Number) m.get("rows")).longValue(), (Map<String, Object>) m);
    }
}
