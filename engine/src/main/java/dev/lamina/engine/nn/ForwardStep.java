package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.Plan;
import dev.lamina.engine.tensor.Tensor;

/**
 * A compiled forward pass for a fixed batch size: write features [B, ...] and targets (for
 * classification, labels [B] as class indices in floats), call {@link #run()}, read the mean loss and
 * the model output (for classification, the logits [B, classes]).
 */
public class ForwardStep {
    private final Plan plan;
    private final Tensor features;
    private final Tensor labels;
    private final Tensor loss;
    private final Tensor output;
    private final boolean classification;

    ForwardStep(Plan plan, Node features, Node labels, Node loss, Node output, boolean classification) {
        this.plan = plan;
        this.features = plan.tensor(features);
        this.labels = plan.tensor(labels);
        this.loss = plan.tensor(loss);
        this.output = plan.tensor(output);
        this.classification = classification;
    }

    /** A step that runs otherwise (its subclass overrides {@link #run()}) over these buffers. */
    ForwardStep(Tensor features, Tensor labels, Tensor loss, Tensor output, boolean classification) {
        this.plan = null;
        this.features = features;
        this.labels = labels;
        this.loss = loss;
        this.output = output;
        this.classification = classification;
    }

    /** The mean loss of the last run. */
    float lastLoss() {
        return loss.get(0);
    }

    public int batchSize() {
        return features.shape().dim(0);
    }

    /** The input buffer [B, features...]; write a batch here before {@link #run()}. */
    public Tensor features() {
        return features;
    }

    /** The target buffer (class indices [B] for classification); write here before {@link #run()}. */
    public Tensor labels() {
        return labels;
    }

    /** The model output of the last run (logits [B, classes] for classification). */
    public Tensor output() {
        return output;
    }

    /** Runs the step and returns the mean loss over the batch. */
    public float run() {
        plan.run();
        return loss.get(0);
    }

    /**
     * Writes the most probable class of each row of the last run (the argmax of the output's last
     * dimension) into {@code out[0..B)}; throws for a loss that is not a classification loss.
     */
    public void predictions(int[] out) {
        if (!classification) {
            throw new IllegalStateException("predictions need a classification loss");
        }
        int rows = labels.size();
        int classes = output.size() / rows;
        float[] lp = output.data();
        int base = output.offset();
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (lp[base + r * classes + c] > lp[base + r * classes + best]) {
                    best = c;
                }
            }
            out[r] = best;
        }
    }

    /** How many rows of the last run have their label as the predicted class. */
    public int correct() {
        int rows = labels.size();
        int[] predicted = new int[rows];
        predictions(predicted);
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            if (predicted[r] == (int) labels.get(r)) {
                correct++;
            }
        }
        return correct;
    }
}
