package dev.lamina.jobs;

import dev.lamina.driver.EarlyStopping;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.engine.optim.ScheduleConfig;
import dev.lamina.worker.ExchangeConfig;
import dev.lamina.worker.TlsConfig;
import dev.lamina.worker.TrainingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a YAML job file, applies {@code --set key=value} overrides and binds the result to
 * {@link JobConfig}. Every problem is an {@link IllegalArgumentException} naming the key, the value
 * and what was expected.
 */
public final class ConfigLoader {
    private final String defaultCache;

    /** @param defaultCache the dataset cache used when the file does not set data.cache */
    public ConfigLoader(String defaultCache) {
        this.defaultCache = defaultCache;
    }

    public JobConfig load(Path file, List<String> overrides) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--config " + file + " : no such file");
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), overrides);
    }

    public JobConfig parse(String yamlText, List<String> overrides) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Object root = yaml.load(yamlText);
        Map<String, Object> tree = new LinkedHashMap<>();
        if (root instanceof Map<?, ?> m) {
            m.forEach((k, v) -> tree.put(String.valueOf(k), v));
        } else if (root != null) {
            throw new IllegalArgumentException("job file : " + root + " (expected: sections data, model, training, output)");
        }
        for (String o : overrides) {
            applyOverride(tree, o, yaml);
        }
        return bind(tree);
    }

    @SuppressWarnings("unchecked")
    private static void applyOverride(Map<String, Object> tree, String override, Yaml yaml) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set " + override + " (expected: key=value, e.g. training.epochs=5)");
        }
        String[] path = override.substring(0, eq).trim().split("\\.");
        Object value = yaml.load(override.substring(eq + 1));
        Map<String, Object> node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            Object child = node.get(path[i]);
            if (!(child instanceof Map)) {
                child = new LinkedHashMap<String, Object>();
                node.put(path[i], child);
            } else {
                child = new LinkedHashMap<>((Map<String, Object>) child);
                node.put(path[i], child);
            }
            node = (Map<String, Object>) child;
        }
        node.put(path[path.length - 1], value);
    }

    private JobConfig bind(Map<String, Object> tree) {
        ConfigSection root = new ConfigSection("", tree);
        ConfigSection data = root.section("data");
        ConfigSection training = root.section("training");
        ConfigSection output = root.section("output");
        Object model = root.raw("model");
        boolean hasSamples = root.has("samples");
        SamplesConfig samples = SamplesConfig.bind(root.section("samples"));
        RetrainConfig.bind(root.section("retrain"));   // checked with the rest; the retrain job reads it from source()
        root.finish();
        String dataset = data.string("dataset", "mnist");
        DataConfig.Files files = null;
        if (dataset.equalsIgnoreCase("files")) {
            files = new DataConfig.Files(data.string("format", ""), data.string("train", ""), data.string("test", ""),
                    data.string("featuresCol", "features"), data.string("labelCol", "label"),
                    data.strings("featureColumns"), data.section("options").strings(),
                    data.bool("labelFromDirectory", false));
        } else {
            for (String key : List.of("format", "train", "test", "featuresCol", "labelCol", "featureColumns", "options",
                    "labelFromDirectory")) {
                if (data.has(key)) {
                    throw new IllegalArgumentException(data.key(key) + " : " + data.raw(key) + " (expected: only with"
                            + " data.dataset: files; data.dataset is " + dataset + ")");
                }
            }
        }
        DataConfig dataConfig = new DataConfig(dataset, data.string("cache", defaultCache),
                data.integer("trainLimit", 0), data.integer("testLimit", 0), data.number("validationFraction", 0), files);
        data.finish();
        EarlyStopping.Config earlyStopping = earlyStopping(training);
        TrainingConfig trainingConfig = training(training);
        OutputConfig outputConfig = new OutputConfig(output.string("dir", "out/model"));
        output.finish();
        if (!(model instanceof Map<?, ?> modelMap)) {
            throw new IllegalArgumentException("model : " + model + " (expected: a section with input, layers and loss)");
        }
        Map<String, Object> modelTree = new LinkedHashMap<>();
        modelMap.forEach((k, v) -> modelTree.put(String.valueOf(k), v));
        ModelSpec spec;
        try {
            spec = ModelSpec.fromMap(modelTree);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw new IllegalArgumentException(msg.startsWith("model") ? msg : "model." + msg, e);
        }
        if (hasSamples && !spec.isDiffusion()) {
            throw new IllegalArgumentException("samples : " + tree.get("samples") + " (expected: only for a diffusion"
                    + " model, one with model.diffusion)");
        }
        return new JobConfig(dataConfig, spec, trainingConfig, outputConfig, earlyStopping, samples, tree);
    }

    private static TrainingConfig training(ConfigSection t) {
        TrainingConfig d = TrainingConfig.defaults();
        OptimizerConfig optimizer = optimizer(t);
        ExchangeConfig e = d.exchange();
        ExchangeConfig exchange = new ExchangeConfig(t.integer("syncEvery", e.syncEvery()), t.string("outer", e.outer()),
                t.number("outerLearningRate", e.outerLearningRate()), t.number("outerMomentum", e.outerMomentum()),
                t.integer("staleness", e.staleness()), t.string("compression", e.compression()),
                t.number("topkRatio", e.topkRatio()), t.number("threshold", e.threshold()),
                t.bool("inProcess", e.inProcess()));
        TrainingConfig config = new TrainingConfig(t.integer("workers", d.workers()), t.integer("epochs", d.epochs()),
                t.integer("batchSize", d.batchSize()), t.string("mode", d.mode()), optimizer,
                t.longValue("seed", d.seed()), t.integer("stepTimeoutSeconds", d.stepTimeoutSeconds()), exchange)
                .withCheckpoints(t.string("checkpointDir", d.checkpointDir()), t.integer("checkpointEvery", d.checkpointEvery()))
                .withServers(t.strings("servers"), t.string("secretFile", d.secretFile()));
        ConfigSection tls = t.section("tls");
        config = config.withTls(new TlsConfig(tls.string("keyStore", ""), tls.string("passwordFile", "")));
        tls.finish();
        t.finish();
        return config;
    }

    /** training.earlyStopping: a section with metric (loss or accuracy), patience (0 = off) and minDelta. */
    private static EarlyStopping.Config earlyStopping(ConfigSection t) {
        EarlyStopping.Config d = EarlyStopping.Config.off();
        ConfigSection e = t.section("earlyStopping");
        EarlyStopping.Config config = new EarlyStopping.Config(e.string("metric", d.metric()), e.integer("patience",
                d.patience()), e.number("minDelta", d.minDelta()));
        e.finish();
        return config;
    }

    /** training.optimizer is either a name ({@code sgd}, {@code adam}) or a section with type and hyper-parameters. */
    private static OptimizerConfig optimizer(ConfigSection t) {
        OptimizerConfig d = OptimizerConfig.defaults();
        Object raw = t.raw("optimizer");
        if (raw == null || raw instanceof String) {
            String type = raw == null ? d.type() : (String) raw;
            return prefixed("training.optimizer.", () -> d.withType(type));
        }
        ConfigSection o = ConfigSection.of(t.key("optimizer"), raw);
        ScheduleConfig schedule = schedule(o);
        OptimizerConfig config = prefixed("training.optimizer.", () -> new OptimizerConfig(o.string("type", d.type()),
                o.number("learningRate", d.learningRate()), o.number("momentum", d.momentum()),
                o.bool("nesterov", d.nesterov()), o.number("beta1", d.beta1()), o.number("beta2", d.beta2()),
                o.number("epsilon", d.epsilon()), o.number("weightDecay", d.weightDecay()), schedule,
                o.number("clipNorm", d.clipNorm())));
        o.finish();
        return config;
    }

    /** training.optimizer.schedule is a name ({@code constant}, {@code step}, {@code cosine}) or a section. */
    private static ScheduleConfig schedule(ConfigSection o) {
        ScheduleConfig d = ScheduleConfig.constant();
        Object raw = o.raw("schedule");
        String prefix = "training.optimizer.schedule.";
        if (raw == null || raw instanceof String) {
            String type = raw == null ? d.type() : (String) raw;
            return prefixedSchedule(prefix, () -> new ScheduleConfig(type, d.warmupSteps(), d.stepSize(), d.gamma(),
                    d.totalSteps(), d.minFactor()));
        }
        ConfigSection s = ConfigSection.of(o.key("schedule"), raw);
        ScheduleConfig config = prefixedSchedule(prefix, () -> new ScheduleConfig(s.string("type", d.type()),
                s.integer("warmupSteps", d.warmupSteps()), s.integer("stepSize", d.stepSize()),
                s.number("gamma", d.gamma()), s.longValue("totalSteps", d.totalSteps()),
                s.number("minFactor", d.minFactor())));
        s.finish();
        return config;
    }

    private static ScheduleConfig prefixedSchedule(String prefix, java.util.function.Supplier<ScheduleConfig> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage(), e);
        }
    }

    private static OptimizerConfig prefixed(String prefix, java.util.function.Supplier<OptimizerConfig> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw new IllegalArgumentException(msg.startsWith("training.") ? msg : prefix + msg, e);
        }
    }
}
