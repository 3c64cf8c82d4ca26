package dev.lamina.peer.dl4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The DL4J-Spark peer of Lamina's {@code bench --suite scaling}: the same MLP (784-256-128-10, ReLU,
 * softmax) on the same MNIST files (pixels / 255) on local Spark with {@code --workers} cores, trained by
 * {@link ParameterAveragingTrainingMaster} (parameters averaged every 5 steps, batch 64 per worker,
 * Nesterov momentum 0.01 / 0.9), the test split evaluated after every epoch. The data is cached as an RDD
 * of 64-example DataSets and trained directly ({@code RDDTrainingApproach.Direct}, no export to files),
 * DL4J's fastest path. Prints one progress line per epoch and one JSON line with the keys of Lamina's
 * bench: time to an accuracy is the wall time from the first epoch's start to the end of the evaluation
 * that first reached it ({@code *_train_seconds}: the fits alone); set-up is everything before.
 */
public final class Dl4jSparkPeer {

    private Dl4jSparkPeer() {
    }

    /** Unsigned bytes of IDX images (n x rows x cols) or labels (n). */
    record Idx(int count, int width, byte[] bytes) {
        static Idx read(Path file, boolean images) throws IOException {
            try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(
                    new java.io.BufferedInputStream(raw, 1 << 20))) {
                int magic = in.readInt();
                if (magic != (images ? 0x803 : 0x801)) {
                    throw new IOException(file + ": IDX magic " + Integer.toHexString(magic) + " (expected: "
                            + (images ? "803" : "801") + ")");
                }
                int count = in.readInt();
                int width = images ? in.readInt() * in.readInt() : 1;
                byte[] bytes = new byte[count * width];
                in.readFully(bytes);
                return new Idx(count, width, bytes);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int workers = Integer.parseInt(o.getOrDefault("workers", "2"));
        int epochs = Integer.parseInt(o.getOrDefault("epochs", "5"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "64"));
        Path dir = Path.of(o.getOrDefault("data", System.getProperty("user.home") + "/.cache/lamina/mnist"));
        long start = System.nanoTime();
        SparkConf conf = new SparkConf().setAppName("dl4j-spark peer").setMaster("local[" + workers + "]")
                .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            // DL4J persists its training RDD at the master's storage level: cache it at that level here.
            JavaRDD<DataSet> train = batches(sc, dir, "train", batch, workers).persist(StorageLevel.MEMORY_ONLY_SER());
            JavaRDD<DataSet> test = batches(sc, dir, "t10k", 256, workers).cache();
            long trainRows = train.map(DataSet::numExamples).reduce(Integer::sum);
            test.count();
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(batch)
                    .batchSizePerWorker(batch).averagingFrequency(5).workerPrefetchNumBatches(2)
                    .rddTrainingApproach(RDDTrainingApproach.Direct).storageLevel(StorageLevel.MEMORY_ONLY_SER()).build();
            SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(sc, mlp(), master);
            double setup = (System.nanoTime() - start) / 1e9;
            List<double[]> curve = new ArrayList<>();
            long first = System.nanoTime();
            double fitSeconds = 0;
            double steadyFit = 0;
            for (int e = 1; e <= epochs; e++) {
                long t0 = System.nanoTime();
                net.fit(train);
                long t1 = System.nanoTime();
                Evaluation eval = net.evaluate(test);
                long t2 = System.nanoTime();
                fitSeconds += (t1 - t0) / 1e9;
                if (e > 1) {
                    steadyFit += (t1 - t0) / 1e9;
                }
                curve.add(new double[] {eval.accuracy(), (t2 - first) / 1e9, fitSeconds, (t2 - t0) / 1e9});
                System.out.printf(Locale.ROOT, "epoch %d/%d  test_accuracy %.4f  fit %.1fs  eval %.1fs%n", e, epochs,
                        eval.accuracy(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            }
            System.out.println(json(result(workers, batch, trainRows, setup, curve, epochs > 1 ? steadyFit : fitSeconds,
                    epochs > 1 ? epochs - 1 : 1)));
        }
    }

    static MultiLayerConfiguration mlp() {
        return new NeuralNetConfiguration.Builder().seed(42).updater(new Nesterovs(0.01, 0.9))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nIn(128).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    /** The split as DataSets of {@code batch} examples, made on the executors from broadcast bytes. */
    static JavaRDD<DataSet> batches(JavaSparkContext sc, Path dir, String split, int batch, int slices)
            throws IOException {
        Idx images = Idx.read(dir.resolve(split + "-images-idx3-ubyte"), true);
        Idx labels = Idx.read(dir.resolve(split + "-labels-idx1-ubyte"), false);
        Broadcast<byte[]> pixels = sc.broadcast(images.bytes());
        Broadcast<byte[]> classes = sc.broadcast(labels.bytes());
        int width = images.width();
        List<Integer> starts = new ArrayList<>();
        for (int s = 0; s + batch <= images.count(); s += batch) {
            starts.add(s);
        }
        return sc.parallelize(starts, slices).map(s -> {
            float[] f = new float[batch * width];
            float[] y = new float[batch * 10];
            byte[] p = pixels.value();
            byte[] l = classes.value();
            for (int r = 0; r < batch; r++) {
                for (int j = 0; j < width; j++) {
                    f[r * width + j] = (p[(s + r) * width + j] & 0xFF) / 255f;
                }
                y[r * 10 + (l[s + r] & 0xFF)] = 1f;
            }
            INDArray features = Nd4j.create(f, new long[] {batch, width}, 'c');
            INDArray targets = Nd4j.create(y, new long[] {batch, 10}, 'c');
            return new DataSet(features, targets);
        });
    }

    static Map<String, Object> result(int workers, int batch, long rows, double setup, List<double[]> curve,
                                      double steadyFit, int steadyEpochs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("framework", "dl4j-spark");
        m.put("model", "mlp");
        m.put("workers", workers);
        m.put("mode", "parameter-averaging");
        m.put("samples_per_second", rows * steadyEpochs / steadyFit);
        double epochSum = 0;
        for (int i = curve.size() > 1 ? 1 : 0; i < curve.size(); i++) {
            epochSum += curve.get(i)[3];
        }
        m.put("epoch_seconds", epochSum / steadyEpochs);
        for (int target : new int[] {95, 97}) {
            Double wall = null;
            Double fit = null;
            for (double[] point : curve) {
                if (point[0] >= target / 100.0) {
                    wall = point[1];
                    fit = point[2];
                    break;
                }
            }
            m.put("time_to_" + target + "_seconds", wall);
            m.put("time_to_" + target + "_train_seconds", fit);
        }
        m.put("setup_seconds", setup);
        m.put("batch_per_worker", batch);
        m.put("averaging_frequency", 5);
        m.put("updater", "nesterovs 0.01/0.9");
        m.put("test_accuracy", curve.get(curve.size() - 1)[0]);
        List<Object> points = new ArrayList<>();
        for (int i = 0; i < curve.size(); i++) {
            points.add(Map.of("epoch", i + 1, "elapsed_seconds", curve.get(i)[1], "test_accuracy", curve.get(i)[0]));
        }
        m.put("accuracy_curve", points);
        return m;
    }

    /** A flat JSON object of strings, numbers, nulls and lists of flat objects. */
    static String json(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (Object e : list) {
                sb.append(sb.length() > 1 ? "," : "").append(json(e));
            }
            return sb.append(']').toString();
        }
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            sb.append(sb.length() > 1 ? "," : "").append(json(String.valueOf(e.getKey()))).append(':')
                    .append(json(e.getValue()));
        }
        return sb.append('}').toString();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("argument " + args[i] + " (expected: --name value)");
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        return o;
    }
}
