package dev.lamina.engine.loss;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;

/** Loss functions as graph builders. */
public final class Losses {

    private Losses() {
    }

    /** Softmax cross-entropy of logits [B, C] against class labels [B]: the mean NLL of log softmax. */
    public static Node softmaxCrossEntropy(Graph graph, Node logits, Node labels) {
        return nll(graph, graph.logSoftmax(logits), labels);
    }

    /** Mean negative log-likelihood of labels [B] under log-probabilities [B, C]. */
    public static Node nll(Graph graph, Node logProbabilities, Node labels) {
        return graph.nll(logProbabilities, labels);
    }
}
