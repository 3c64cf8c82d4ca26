package dev.lamina.engine.autodiff;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.loss.Losses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The core ops against PyTorch 1.13: a linear layer (matmul with the weight transposed, plus bias),
 * ReLU, log-softmax and softmax cross-entropy over class labels (output and gradients within 1e-6).
 */
class CoreOpsGoldenTest {

    static java.util.stream.Stream<Kernels> kernels() {
        return GradientChecker.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchPyTorch(Kernels k) {
        GoldenFixture.load("linear").compare(k, (g, n) -> g.addBias(g.matmul(n.get("x"), n.get("weight"), false, true),
                n.get("bias")), 1e-6, 1e-6);
        GoldenFixture.load("relu").compare(k, (g, n) -> g.relu(n.get("x")), 1e-7, 1e-7);
        GoldenFixture.load("log_softmax").compare(k, (g, n) -> g.logSoftmax(n.get("x")), 1e-6, 1e-6);
        GoldenFixture.load("softmax_cross_entropy").compare(k,
                (g, n) -> Losses.softmaxCrossEntropy(g, n.get("logits"), n.get("labels")), 1e-6, 1e-6);
    }
}
