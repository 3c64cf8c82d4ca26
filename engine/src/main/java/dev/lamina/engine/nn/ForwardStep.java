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
     * How many rows of the last run have their label as the most probable class (the argmax of the
     * output's last dimension); throws for a loss that is not a classification loss.
     */
    public int correct() {
        if (!classification) {
            throw new IllegalStateException("accuracy needs a classification loss");
        }
        int rows = labels.size();
        int classes = output.size() / rows;
        float[] lp = output.data();
        int base = output.offset();
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (lp[base + r * classes + c] > lp[base + r * classes + best]) {
                    best = c;
                }
            }
            if (best == (int) labels.get(r)) {
                correct++;
            }
        }
        return correct;
    }
}
