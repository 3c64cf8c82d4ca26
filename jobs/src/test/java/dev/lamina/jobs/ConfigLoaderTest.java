package dev.lamina.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Path MNIST_MLP = Path.of("..", "conf", "mnist-mlp.yaml");
    private final ConfigLoader loader = new ConfigLoader("/tmp/lamina-cache");

    @Test
    void shippedMnistMlpFileBinds() throws IOException {
        JobConfig c = loader.load(MNIST_MLP, List.of());
        assertEquals(10, c.model().classes());
        assertEquals(784, c.model().inputSize());
        assertEquals("sync", c.training().mode());
        assertEquals(0.05, c.training().optimizer().learningRate());
        assertEquals("/tmp/lamina-cache", c.data().cache());
    }

    @Test
    void overridesApply() throws IOException {
        JobConfig c = loader.load(MNIST_MLP, List.of("training.workers=1", "training.optimizer.type=adam",
                "training.optimizer.learningRate=0.001", "output.dir=/tmp/x"));
        assertEquals(1, c.training().workers());
        assertEquals("adam", c.training().optimizer().type());
        assertEquals(0.001, c.training().optimizer().learningRate());
        assertEquals("/tmp/x", c.output().dir());
    }

    @Test
    void shardServersBindInOrderWithTheirSecretFile() throws IOException {
        JobConfig c = loader.load(MNIST_MLP, List.of("training.servers=[10.0.0.1:7001, 10.0.0.2:7002]",
                "training.secretFile=/etc/lamina/job.secret"));
        assertEquals(List.of("10.0.0.1:7001", "10.0.0.2:7002"), c.training().servers());
        assertEquals("/etc/lamina/job.secret", c.training().secretFile());
        assertEquals(List.of(), loader.load(MNIST_MLP, List.of()).training().servers());
    }

    @Test
    void tlsKeysBindAndComeInPairs() throws IOException {
        JobConfig c = loader.load(MNIST_MLP, List.of("training.tls.keyStore=/etc/lamina/ps.p12",
                "training.tls.passwordFile=/etc/lamina/ps.password"));
        assertEquals("/etc/lamina/ps.p12", c.training().tls().keyStore());
        assertEquals("/etc/lamina/ps.password", c.training().tls().passwordFile());
        assertTrue(c.training().tls().enabled());
        assertTrue(!loader.load(MNIST_MLP, List.of()).training().tls().enabled(), "plain TCP by default");
        assertEquals("training.tls.passwordFile : empty with training.tls.keyStore /k.p12 (expected: the file holding"
                + " the key store's password)", assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.tls.keyStore=/k.p12"))).getMessage());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.tls.keystore=/k.p12")));
        assertTrue(typo.getMessage().contains("training.tls.keystore"), typo.getMessage());
    }

    @Test
    void badShardConfigurationsAreNamed() {
        assertEquals("training.servers[1] : shard address : \"10.0.0.2\" (expected: host:port)",
                assertThrows(IllegalArgumentException.class, () -> loader.load(MNIST_MLP, List.of(
                        "training.servers=[10.0.0.1:7001, 10.0.0.2]", "training.secretFile=/s"))).getMessage());
        assertEquals("training.secretFile : empty with 1 training.servers (expected: the file holding the shards'"
                + " secret, the one given to lamina ps --secret-file)",
                assertThrows(IllegalArgumentException.class, () -> loader.load(MNIST_MLP, List.of(
                        "training.servers=[10.0.0.1:7001]"))).getMessage());
        IllegalArgumentException clip = assertThrows(IllegalArgumentException.class, () -> loader.load(MNIST_MLP,
                List.of("training.servers=[a:1, b:2]", "training.secretFile=/s", "training.optimizer.clipNorm=1.0")));
        assertTrue(clip.getMessage().startsWith("training.optimizer.clipNorm : 1.0 with 2 training.servers (expected: 0;"),
                clip.getMessage());
        assertEquals("training.servers[1] : a:1 (expected: each shard once; it is listed twice)",
                assertThrows(IllegalArgumentException.class, () -> loader.load(MNIST_MLP, List.of(
                        "training.servers=[a:1, a:1]", "training.secretFile=/s"))).getMessage());
    }

    @Test
    void typoInSectionNameIsNamedWithSuggestion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("trainig.epochs=3")));
        assertTrue(e.getMessage().contains("trainig.epochs"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean training?"), e.getMessage());
    }

    @Test
    void typoInKeyIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.parse("model: {input: 4, layers: [{type: linear, units: 2}]}\ntraining:\n  epocs: 3\n", List.of()));
        assertTrue(e.getMessage().contains("training.epocs") && e.getMessage().contains("training.epochs"), e.getMessage());
    }

    @Test
    void negativeLearningRateIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.optimizer.learningRate=-0.1")));
        assertEquals("training.optimizer.learningRate : -0.1 (expected: > 0)", e.getMessage());
    }

    @Test
    void wrongTypeIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.epochs=ten")));
        assertEquals("training.epochs : ten (expected: an integer)", e.getMessage());
    }

    @Test
    void batchMustSplitEvenly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.workers=3")));
        assertTrue(e.getMessage().startsWith("training.batchSize : 128"), e.getMessage());
    }

    @Test
    void badLayerIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.parse("model: {input: 4, layers: [{type: linear, units: -2}]}\n", List.of()));
        assertTrue(e.getMessage().contains("model.layers[0]") && e.getMessage().contains("-2"), e.getMessage());
    }

    @Test
    void unknownModeIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.mode=gossip")));
        assertEquals("training.mode : gossip (expected: one of [sync, local-sgd, async])", e.getMessage());
    }

    @Test
    void modeOptionsBind() throws Exception {
        JobConfig c = loader.load(MNIST_MLP, List.of("training.mode=local-sgd", "training.syncEvery=4",
                "training.outer=nesterov", "training.outerLearningRate=0.5", "training.outerMomentum=0.8",
                "training.staleness=3"));
        assertEquals("local-sgd", c.training().mode());
        assertEquals(4, c.training().exchange().syncEvery());
        assertEquals("nesterov", c.training().exchange().outer());
        assertEquals(0.5, c.training().serverOptimizer().learningRate());
        assertEquals(0.8, c.training().serverOptimizer().momentum());
        assertTrue(c.training().serverOptimizer().nesterov());
        assertEquals(3, c.training().exchange().staleness());
        JobConfig average = loader.load(MNIST_MLP, List.of("training.mode=local-sgd"));
        assertEquals(1.0, average.training().serverOptimizer().learningRate());
        assertEquals(0.0, average.training().serverOptimizer().momentum());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.syncEvery=0")));
        assertEquals("training.syncEvery : 0 (expected: >= 1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> loader.load(MNIST_MLP, List.of("training.outer=adam")));
        assertEquals("training.outer : adam (expected: one of [average, nesterov])", e.getMessage());
    }

    @Test
    void inProcessExchangeIsOnByDefaultAndCanBeTurnedOff() throws Exception {
        assertTrue(loader.load(MNIST_MLP, List.of()).training().exchange().inProcess());
        assertFalse(loader.load(MNIST_MLP, List.of("training.inProcess=false")).training().exchange().inProcess());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.inProcess=sometimes")));
        assertTrue(e.getMessage().contains("training.inProcess") && e.getMessage().contains("sometimes"), e.getMessage());
    }

    @Test
    void scheduleAndClippingBind() throws IOException {
        JobConfig c = loader.load(MNIST_MLP, List.of("training.optimizer.type=adamw",
                "training.optimizer.schedule={type: cosine, warmupSteps: 100}", "training.optimizer.clipNorm=1.0"));
        assertEquals("cosine", c.training().optimizer().schedule().type());
        assertEquals(100, c.training().optimizer().schedule().warmupSteps());
        assertEquals(1.0, c.training().optimizer().clipNorm());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.optimizer.schedule={type: cosine, gamma: 2}")));
        assertEquals("training.optimizer.schedule.gamma : 2.0 (expected: in (0, 1])", e.getMessage());
    }

    @Test
    void everyCompressionBindsAndUnknownOnesAreRefused() throws IOException {
        for (String codec : List.of("none", "fp16", "int8", "topk", "threshold")) {
            JobConfig c = loader.load(MNIST_MLP, List.of("training.compression=" + codec, "training.topkRatio=0.05",
                    "training.threshold=0.002"));
            assertEquals(codec, c.training().exchange().compression());
            assertEquals(0.05, c.training().exchange().topkRatio());
            assertEquals(0.002, c.training().exchange().threshold());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.compression=zstd")));
        assertTrue(e.getMessage().startsWith("training.compression : zstd (expected: one of"), e.getMessage());
    }

    @Test
    void earlyStoppingNeedsAValidationSplit() throws IOException {
        JobConfig c = loader.load(MNIST_MLP, List.of("training.earlyStopping={metric: accuracy, patience: 2}",
                "data.validationFraction=0.1"));
        assertEquals(2, c.earlyStopping().patience());
        assertEquals(0.1, c.data().validationFraction());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.earlyStopping={patience: 2}")));
        assertTrue(e.getMessage().contains("data.validationFraction : 0"), e.getMessage());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("data.validationFraction=0.7")));
        assertEquals("data.validationFraction : 0.7 (expected: in [0, 0.5))", f.getMessage());
    }

    @Test
    void badOverrideSyntaxIsExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.epochs")));
        assertTrue(e.getMessage().contains("key=value"), e.getMessage());
    }

    @Test
    void checkpointKeysBindWithOffByDefault() throws IOException {
        JobConfig plain = loader.load(MNIST_MLP, List.of());
        assertEquals("", plain.training().checkpointDir());
        assertEquals(0, plain.training().checkpointEvery());
        JobConfig c = loader.load(MNIST_MLP, List.of("training.checkpointDir=hdfs://nn:8020/ckpt/mnist",
                "training.checkpointEvery=100"));
        assertEquals("hdfs://nn:8020/ckpt/mnist", c.training().checkpointDir());
        assertEquals(100, c.training().checkpointEvery());
        assertTrue(c.training().checkpointing());
    }

    @Test
    void badCheckpointKeysAreNamed() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.checkpointDir=/tmp/c", "training.checkpointEvery=-1")));
        assertEquals("training.checkpointEvery : -1 (expected: >= 0, 0 = only at each epoch end)", negative.getMessage());
        IllegalArgumentException noDir = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("training.checkpointEvery=10")));
        assertTrue(noDir.getMessage().contains("training.checkpointDir empty"), noDir.getMessage());
    }

    @Test
    void filesDatasetBindsFormatPathsColumnsAndOptions() throws Exception {
        JobConfig c = loader.load(MNIST_MLP, List.of("data.dataset=files", "data.format=csv",
                "data.train=hdfs:///d/train.csv", "data.test=hdfs:///d/test.csv", "data.labelCol=digit",
                "data.featureColumns=[p0, p1, p2]", "data.options.header=true", "data.options.inferSchema=true"));
        DataConfig.Files f = c.data().files();
        assertEquals("csv", f.format());
        assertEquals("hdfs:///d/train.csv", f.train());
        assertEquals("hdfs:///d/test.csv", f.test());
        assertEquals("digit", f.labelCol());
        assertEquals("features", f.featuresCol());
        assertEquals(List.of("p0", "p1", "p2"), f.featureColumns());
        assertEquals(java.util.Map.of("header", "true", "inferSchema", "true"), f.options());
        assertEquals(null, loader.load(MNIST_MLP, List.of()).data().files());
    }

    @Test
    void filesDatasetNeedsPathsAndFileKeysNeedTheFilesDataset() {
        IllegalArgumentException noTest = assertThrows(IllegalArgumentException.class, () -> loader.load(MNIST_MLP,
                List.of("data.dataset=files", "data.format=parquet", "data.train=/d/train")));
        assertTrue(noTest.getMessage().contains("data.test : '' (expected: set when data.dataset is files)"),
                noTest.getMessage());
        IllegalArgumentException stray = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("data.format=parquet")));
        assertTrue(stray.getMessage().contains("data.format : parquet (expected: only with data.dataset: files;"),
                stray.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("data.dataset=cifar")));
        assertTrue(unknown.getMessage().contains("(expected: mnist, fashion-mnist, brown or files)"), unknown.getMessage());
    }

    @Test
    void shippedDiffusionFileBindsWithItsSamples() throws IOException {
        JobConfig c = loader.load(Path.of("..", "conf", "mnist-diffusion.yaml"), List.of("samples.guidance=3"));
        assertTrue(c.model().isDiffusion());
        assertEquals(784, c.model().inputSize());
        assertEquals(List.of(1 + 7 + 10, 28, 28), c.model().inputShape());
        assertEquals(100, c.samples().perClass());
        assertEquals(3.0, c.samples().guidance());
        assertEquals("out/mnist-lenet", c.samples().classifier());
        assertEquals(SamplesConfig.defaults(), loader.load(MNIST_MLP, List.of()).samples());
    }

    @Test
    void samplesAreOnlyForDiffusionModelsAndAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("samples.perClass=10")));
        assertTrue(e.getMessage().startsWith("samples : {perClass=10} (expected: only for a diffusion model"), e.getMessage());
        Path diffusion = Path.of("..", "conf", "mnist-diffusion.yaml");
        e = assertThrows(IllegalArgumentException.class, () -> loader.load(diffusion, List.of("samples.steps=0")));
        assertEquals("samples.steps : 0 (expected: >= 1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> loader.load(diffusion, List.of("samples.classifier=")));
        assertTrue(e.getMessage().startsWith("samples.classifierConfig : conf/mnist-lenet.yaml with samples.classifier"
                + " empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> loader.load(diffusion, List.of("samples.guidanse=2")));
        assertTrue(e.getMessage().contains("samples.guidanse"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> loader.load(diffusion, List.of("model.diffusion.labelDropout=1")));
        assertEquals("model.diffusion.labelDropout : 1.0 (expected: in [0, 1))", e.getMessage());
    }
}
