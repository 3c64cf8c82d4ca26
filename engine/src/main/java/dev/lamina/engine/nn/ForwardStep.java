package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.Plan;
import dev.lamina.engine.tensor.Tensor;

/**
 * A compiled forward pass for a fixed batch size: write features [B, ...] and labels [B] (class
 * indices as floats), call {@link #run()}, read the mean loss and the log-probabilities [B, classes].
 */
public class ForwardStep {
    private final Plan plan;
    private final Tensor features;
    private final Tensor labels;
    private final Tensor loss;
    private final Tensor logProbabilities;

    ForwardStep(Plan plan, Node features, Node labels, Node loss, Node logp) {
        this.plan = plan;
        this.features = plan.tensor(features);
        this.labels = plan.tensor(labels);
        this.loss = plan.tensor(loss);
        this.logProbabilities = plan.tensor(logp);
    }

    public int batchSize() {
        return labels.size();
    }

    /** The input buffer [B, features...]; write a batch here before {@link #run()}. */
    public Tensor features() {
        return features;
    }

    /** The label buffer [B]; write class indices here before {@link #run()}. */
    public Tensor labels() {
        return labels;
    }

    /** Log-probabilities [B, classes] of the last run. */
    public Tensor logProbabilities() {
        return logProbabilities;
    }

    /** Runs the step and returns the mean loss over the batch. */
    public float run() {
        plan.run();
        return loss.get(0);
    }

    /** How many rows of the last run have their label as the most probable class. */
    public int correct() {
        int rows = labels.size();
        int classes = logProbabilities.size() / rows;
        float[] lp = logProbabilities.data();
        int base = logProbabilities.offset();
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
