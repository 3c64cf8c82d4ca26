package dev.lamina.driver.ml;

import dev.lamina.driver.Featurizer;
import dev.lamina.driver.Predictions;
import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.ForwardStep;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Runs the forward pass over a partition in batches and appends prediction, probability and logits. */
final class PredictPartition implements FlatMapFunction<Iterator<Row>, Row> {
    static final int BATCH = 256;

    private final ModelSpec spec;
    private final Broadcast<float[]> weights;
    private final int featureIndex;

    PredictPartition(ModelSpec spec, Broadcast<float[]> weights, int featureIndex) {
        this.spec = spec;
        this.weights = weights;
        this.featureIndex = featureIndex;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Model model = Model.of(spec);
        float[] params = weights.value();
        ForwardStep full = model.forwardStep(BATCH, params, KernelProvider.kernels());
        int width = spec.inputSize();
        List<Row> out = new ArrayList<>();
        List<Row> batch = new ArrayList<>(BATCH);
        while (rows.hasNext()) {
            batch.add(rows.next());
            if (batch.size() == BATCH || !rows.hasNext()) {
                ForwardStep step = batch.size() == BATCH ? full
                        : model.forwardStep(batch.size(), params, KernelProvider.kernels());
                predict(step, batch, width, out);
                batch.clear();
            }
        }
        return out.iterator();
    }

    private void predict(ForwardStep step, List<Row> batch, int width, List<Row> out) {
        Tensor features = step.features();
        for (int r = 0; r < batch.size(); r++) {
            Featurizer.readFeatures(batch.get(r), featureIndex, r, width, features.data());
        }
        step.run();
        int classes = spec.classes();
        Tensor logits = step.output();
        for (int r = 0; r < batch.size(); r++) {
            double[] raw = new double[classes];
            for (int c = 0; c < classes; c++) {
                raw[c] = logits.get(r * classes + c);
            }
            double[] prob = new double[classes];
            int best = Predictions.softmax(logits.data(), logits.offset() + r * classes, classes, prob);
            Row in = batch.get(r);
            Object[] values = new Object[in.length() + 3];
            for (int i = 0; i < in.length(); i++) {
                values[i] = in.get(i);
            }
            values[in.length()] = (double) best;
            values[in.length() + 1] = Vectors.dense(prob);
            values[in.length() + 2] = Vectors.dense(raw);
            out.add(RowFactory.create(values));
        }
    }
}
