package dev.lamina.engine.optim;

import java.util.Locale;

/**
 * Which optimizer to run and its hyper-parameters. Immutable and validated on construction.
 *
 * @param type         {@code sgd} or {@code adam}
 * @param learningRate step size, > 0
 * @param momentum     SGD momentum in [0, 1) (0 = plain SGD); ignored by Adam
 * @param nesterov     SGD with Nesterov momentum; needs momentum > 0
 * @param beta1        Adam first-moment decay in [0, 1)
 * @param beta2        Adam second-moment decay in [0, 1)
 * @param epsilon      Adam denominator term, > 0
 * @param weightDecay  L2 penalty added to the gradient (coupled), >= 0
 */
public record OptimizerConfig(String type, double learningRate, double momentum, boolean nesterov,
                              double beta1, double beta2, double epsilon, double weightDecay)
        implements java.io.Serializable {

    public OptimizerConfig {
        type = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (!type.equals("sgd") && !type.equals("adam")) {
            throw new IllegalArgumentException("type : " + type + " (expected: sgd or adam)");
        }
        check("learningRate", learningRate, learningRate > 0 && Double.isFinite(learningRate), "> 0");
        check("momentum", momentum, momentum >= 0 && momentum < 1, "in [0, 1)");
        check("beta1", beta1, beta1 >= 0 && beta1 < 1, "in [0, 1)");
        check("beta2", beta2, beta2 >= 0 && beta2 < 1, "in [0, 1)");
        check("epsilon", epsilon, epsilon > 0 && Double.isFinite(epsilon), "> 0");
        check("weightDecay", weightDecay, weightDecay >= 0 && Double.isFinite(weightDecay), ">= 0");
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("nesterov : true with momentum : 0.0 (expected: momentum > 0)");
        }
    }

    private static void check(String name, double value, boolean ok, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + " : " + value + " (expected: " + expected + ")");
        }
    }

    /** SGD, learning rate 0.05, momentum 0.9: a sound default for small classifiers. */
    public static OptimizerConfig defaults() {
        return new OptimizerConfig("sgd", 0.05, 0.9, false, 0.9, 0.999, 1e-8, 0.0);
    }

    public OptimizerConfig withType(String newType) {
        return new OptimizerConfig(newType, learningRate, momentum, nesterov, beta1, beta2, epsilon, weightDecay);
    }

    public OptimizerConfig withLearningRate(double lr) {
        return new OptimizerConfig(type, lr, momentum, nesterov, beta1, beta2, epsilon, weightDecay);
    }

    public OptimizerConfig withMomentum(double m) {
        return new OptimizerConfig(type, learningRate, m, nesterov, beta1, beta2, epsilon, weightDecay);
    }

    public OptimizerConfig withNesterov(boolean n) {
        return new OptimizerConfig(type, learningRate, momentum, n, beta1, beta2, epsilon, weightDecay);
    }

    public OptimizerConfig withBetas(double b1, double b2) {
        return new OptimizerConfig(type, learningRate, momentum, nesterov, b1, b2, epsilon, weightDecay);
    }

    public OptimizerConfig withEpsilon(double eps) {
        return new OptimizerConfig(type, learningRate, momentum, nesterov, beta1, beta2, eps, weightDecay);
    }

    public OptimizerConfig withWeightDecay(double wd) {
        return new OptimizerConfig(type, learningRate, momentum, nesterov, beta1, beta2, epsilon, wd);
    }

    /** A fresh optimizer (zeroed state) for a flat buffer of {@code size} parameters. */
    public Optimizer create(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size : " + size + " (expected: > 0)");
        }
        return type.equals("sgd") ? new SgdOptimizer(this, size) : new AdamOptimizer(this, size);
    }
}
