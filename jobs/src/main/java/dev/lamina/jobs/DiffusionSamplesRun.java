package dev.lamina.jobs;

import dev.lamina.driver.DiffusionSampling;
import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.TrainedModel;
import dev.lamina.engine.nn.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * After a diffusion model trains: draws the configured samples on the executors, writes
 * {@value #SAMPLES_PNG} (a row per class) and, with a classifier (loaded, or first trained from its
 * job file), adds {@code sample_class_agreement} to the metrics.
 */
final class DiffusionSamplesRun {
    static final String SAMPLES_PNG = "samples.png";
    /** The grid evaluate writes, beside evaluation.json (the training job's samples.png stays as it was). */
    static final String EVALUATION_SAMPLES_PNG = "evaluation-samples.png";
    private static final int GRID_COLUMNS = 16;

    private final SparkSession spark;
    private final SamplesConfig samples;
    private final java.util.Optional<Classifier> classifier;

    private DiffusionSamplesRun(SparkSession spark, SamplesConfig samples, java.util.Optional<Classifier> classifier) {
        this.spark = spark;
        this.samples = samples;
        this.classifier = classifier;
    }

    /** Loads the classifier (training it first when its directory is empty and a job file is given). */
    static DiffusionSamplesRun prepare(SparkSession spark, JobConfig config) throws IOException {
        if (config.model().dataShape().dim(0) != 1) {
            throw new IllegalArgumentException("model.input : " + config.model().dataShape() + " (expected: [1, height,"
                    + " width]; samples are drawn as single-channel images)");
        }
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        return new DiffusionSamplesRun(spark, config.samples(), config.samples().classifier().isEmpty()
                ? java.util.Optional.empty() : java.util.Optional.of(classifier(spark, config, hadoop)));
    }

    /** The model with its sample metrics added; writes the grid into {@code dir}. */
    TrainedModel run(TrainedModel model, String dir) throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>(model.metrics());
        metrics.putAll(run(model.spec(), model.parameters(), dir, SAMPLES_PNG));
        return new TrainedModel(model.spec(), model.parameters(), model.history(), metrics, model.provenance());
    }

    /** Samples {@code spec} under {@code params}, writes the grid as {@code dir/png} and returns the sample metrics. */
    Map<String, Object> run(ModelSpec spec, float[] params, String dir, String png) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        int[] dims = spec.dataShape().dims();
        long start = System.nanoTime();
        float[] images = DiffusionSampling.sample(spark, spec, params, samples.perClass(), samples.steps(),
                samples.guidance(), samples.seed());
        double seconds = (System.nanoTime() - start) / 1e9;
        int classes = spec.diffusion().classes();
        System.out.printf("lamina: sampled %d images in %.1f s%n", classes * samples.perClass(), seconds);
        ModelFiles.writeBytes(dir + "/" + png, DiffusionSampling.grid(images, classes, samples.perClass(),
                GRID_COLUMNS, dims[1], dims[2]), hadoop);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("samples", (long) classes * samples.perClass());
        metrics.put("sample_steps", (long) samples.steps());
        metrics.put("sample_guidance", samples.guidance());
        metrics.put("sampling_seconds", Math.round(seconds * 10) / 10.0);
        if (classifier.isPresent()) {
            Classifier c = classifier.get();
            int n = classes * samples.perClass();
            int[] predicted = DiffusionSampling.classify(c.model().spec(), c.model().parameters(), images, n);
            long agree = 0;
            List<Object> perClass = new ArrayList<>();
            for (int k = 0; k < classes; k++) {
                long hits = 0;
                for (int i = k * samples.perClass(); i < (k + 1) * samples.perClass(); i++) {
                    hits += predicted[i] == k ? 1 : 0;
                }
                agree += hits;
                perClass.add((double) hits / samples.perClass());
            }
            metrics.put("sample_class_agreement", (double) agree / n);
            metrics.put("sample_class_agreement_per_class", perClass);
            metrics.put("classifier", samples.classifier());
            c.testAccuracy().ifPresent(a -> metrics.put("classifier_test_accuracy", a));
            System.out.printf("lamina: sample_class_agreement %.4f (%d of %d samples classified as their class"
                    + " by %s)%n", (double) agree / n, agree, n, samples.classifier());
        }
        System.out.println("lamina: wrote " + dir + "/" + png + " (" + Math.min(GRID_COLUMNS, samples.perClass())
                + " samples per class)");
        return metrics;
    }

    private record Classifier(ModelFiles.Saved model, java.util.Optional<Double> testAccuracy) {
    }

    /** The classifier in samples.classifier, trained there first from samples.classifierConfig when missing. */
    private static Classifier classifier(SparkSession spark, JobConfig config, Configuration hadoop) throws IOException {
        SamplesConfig samples = config.samples();
        String dir = samples.classifier();
        org.apache.hadoop.fs.Path modelJson = new org.apache.hadoop.fs.Path(dir, ModelFiles.MODEL_JSON);
        FileSystem fs = modelJson.getFileSystem(hadoop);
        if (!fs.exists(modelJson)) {
            if (samples.classifierConfig().isEmpty()) {
                throw new IllegalArgumentException("samples.classifier : " + dir + " holds no " + ModelFiles.MODEL_JSON
                        + " (expected: a classifier written by lamina train, or samples.classifierConfig to train one)");
            }
            JobConfig classifierJob = new ConfigLoader(config.data().cache()).load(Path.of(samples.classifierConfig()),
                    List.of("output.dir=" + dir));
            System.out.println("lamina train: training the classifier " + samples.classifierConfig() + " into " + dir
                    + " (for sample_class_agreement)");
            DataLoader data = new DataLoader(classifierJob.data(), classifierJob.model());
            TrainJob.fitAndWrite(spark, classifierJob, data.split(spark, true), data.split(spark, false),
                    new TrainJob.Start(false, java.util.Optional.empty()), dir, r -> { });
        }
        ModelFiles.Saved saved = ModelFiles.read(dir, hadoop);
        if (!saved.spec().lossFunction().classification() || saved.spec().inputSize() != config.model().inputSize()
                || saved.spec().classes() != config.model().diffusion().classes()) {
            throw new IllegalArgumentException("samples.classifier : " + dir + " is a model of input "
                    + saved.spec().inputShape() + ", loss " + saved.spec().loss() + " (expected: a classifier of "
                    + config.model().diffusion().classes() + " classes over " + config.model().dataShape() + " images)");
        }
        return new Classifier(saved, saved.metrics().get("test_accuracy") instanceof Number a
                ? java.util.Optional.of(a.doubleValue()) : java.util.Optional.empty());
    }
}
