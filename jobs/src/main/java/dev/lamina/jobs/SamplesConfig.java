package dev.lamina.jobs;

/**
 * The {@code samples} section of a diffusion model's job file: after training, the job draws
 * {@code perClass} images of every class (DDIM over {@code steps} steps, classifier-free guidance
 * {@code guidance}), writes a grid of them and, with a classifier, reports the share classified as
 * the class they were drawn for ({@code sample_class_agreement}).
 *
 * @param perClass         images per class, >= 1
 * @param steps            sampling steps, >= 1 (at most the model's diffusion steps are used)
 * @param guidance         classifier-free guidance scale, >= 0 (1 = plain conditional sampling)
 * @param seed             fixes the starting noise
 * @param classifier       a model directory written by {@code lamina train} of a classifier over the same
 *                         images (e.g. out/mnist-lenet); empty = no agreement figure
 * @param classifierConfig a job file that trains that classifier when the directory holds no model yet
 *                         (trained first, in the same job, into {@code classifier}); empty = none
 */
record SamplesConfig(int perClass, int steps, double guidance, long seed, String classifier, String classifierConfig) {

    SamplesConfig {
        if (perClass < 1) {
            throw new IllegalArgumentException("samples.perClass : " + perClass + " (expected: >= 1)");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("samples.steps : " + steps + " (expected: >= 1)");
        }
        if (!(guidance >= 0) || !Double.isFinite(guidance)) {
            throw new IllegalArgumentException("samples.guidance : " + guidance + " (expected: a finite number >= 0)");
        }
        classifier = classifier == null ? "" : classifier.trim();
        classifierConfig = classifierConfig == null ? "" : classifierConfig.trim();
        if (!classifierConfig.isEmpty() && classifier.isEmpty()) {
            throw new IllegalArgumentException("samples.classifierConfig : " + classifierConfig + " with samples.classifier"
                    + " empty (expected: the directory to train the classifier into)");
        }
    }

    /** 100 per class, 50 DDIM steps, guidance 2, seed 7, no classifier. */
    static SamplesConfig defaults() {
        return new SamplesConfig(100, 50, 2.0, 7, "", "");
    }

    static SamplesConfig bind(ConfigSection s) {
        SamplesConfig d = defaults();
        SamplesConfig config = new SamplesConfig(s.integer("perClass", d.perClass()), s.integer("steps", d.steps()),
                s.number("guidance", d.guidance()), s.longValue("seed", d.seed()), s.string("classifier", ""),
                s.string("classifierConfig", ""));
        s.finish();
        return config;
    }
}
