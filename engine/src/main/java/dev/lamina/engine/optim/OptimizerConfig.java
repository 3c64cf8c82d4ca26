package dev.lamina.engine.optim;

import java.util.Locale;

/**
 * Which optimizer to run and its hyper-parameters. Immutable and validated on construction.
 *
 * @param type         {@code sgd}, {@code adam}, {@code adamw} or {@code rmsprop}
 * @param learningRate base step size, > 0 (scaled per step by {@code schedule})
 * @param momentum     SGD momentum in [0, 1) (0 = plain SGD); ignored by the others
 * @param nesterov     SGD with Nesterov momentum; needs momentum > 0
 * @param beta1        Adam/AdamW first-moment decay in [0, 1)
 * @param beta2        Adam/AdamW second-moment decay, and RMSProp's squared-gradient decay, in [0, 1)
 * @param epsilon      Adam/AdamW/RMSProp denominator term, > 0
 * @param weightDecay  >= 0: an L2 term added to the gradient (coupled) for sgd, adam and rmsprop;
 *                     decoupled (p -= lr * wd * p) for adamw
 * @param schedule     the learning-rate schedule
 * @param clipNorm     global-norm gradient clipping threshold (0 = off): gradients whose L2 norm
 *                     exceeds it are scaled down to it before the update
 */
public record OptimizerConfig(String type, double learningRate, double momentum, boolean nesterov,
                              double beta1, double beta2, double epsilon, double weightDecay,
                              ScheduleConfig schedule, double clipNorm)
        implements java.io.Serializable {

    public OptimizerConfig {
        type = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (!type.equals("sgd") && !type.equals("adam") && !type.equals("adamw") && !type.equals("rmsprop")) {
            throw new IllegalArgumentException("type : " + type + " (expected: sgd, adam, adamw or rmsprop)");
        }
        if (schedule == null) {
            throw new IllegalArgumentException("schedule : null (expected: a schedule)");
        }
        check("clipNorm", clipNorm, clipNorm >= 0 && Double.isFinite(clipNorm), ">= 0 (0 = off)");
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

    /** A constant learning rate and no clipping. */
    public OptimizerConfig(String type, double learningRate, double momentum, boolean nesterov,
                           double beta1, double beta2, double epsilon, double weightDecay) {
        this(type, learningRate, momentum, nesterov, beta1, beta2, epsilon, weightDecay, ScheduleConfig.constant(), 0.0);
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
        return new OptimizerConfig(newType, learningRate, momentum, nesterov, beta1, beta2, epsilon, weightDecay, schedule, clipNorm);
    }

    public OptimizerConfig withLearningRate(double lr) {
        return new OptimizerConfig(type, lr, momentum, nesterov, beta1, beta2, epsilon, weightDecay, schedule, clipNorm);
    }

    public OptimizerConfig withMomentum(double m) {
        return new OptimizerConfig(type, learningRate, m, nesterov, beta1, beta2, epsilon, weightDecay, schedule, clipNorm);
    }

    public OptimizerConfig withNesterov(boolean n) {
        return new OptimizerConfig(type, learningRate, momentum, n, beta1, beta2, epsilon, weightDecay, schedule, clipNorm);
    }

    public OptimizerConfig withBetas(double b1, double b2) {
        return new OptimizerConfig(type, learningRate, momentum, nesterov, b1, b2, epsilon, weightDecay, schedule, clipNorm);
    }

    public OptimizerConfig withEpsilon(double eps) {
        return new OptimizerConfig(type, learningRate, momentum, nesterov, beta1, beta2, eps, weightDecay, schedule, clipNorm);
    }

    public OptimizerConfig withWeightDecay(double wd) {
        return new OptimizerConfig(type, learningRate, momentum, nesterov, beta1, beta2, epsilon, wd, schedule, clipNorm);
    }

    public OptimizerConfig withSchedule(ScheduleConfig s) {
        return new OptimizerConfig(type, learningRate, momentum, nesterov, beta1, beta2, epsilon, weightDecay, s, clipNorm);
    }

    public OptimizerConfig withClipNorm(double c) {
        return new OptimizerConfig(type, learningRate, momentum, nesterov, beta1, beta2, epsilon, weightDecay, schedule, c);
    }

    /** The learning rate at step {@code step} (0-based), after the schedule. */
    public double learningRateAt(long step) {
        return learningRate * schedule.factor(step);
    }

    /** A fresh optimizer (zeroed state) for a flat buffer of {@code size} parameters. */
    public Optimizer create(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size : " + size + " (expected: > 0)");
        }
        return switch (type) {
            case "sgd" -> new SgdOptimizer(this, size);
            case "rmsprop" -> new RmsPropOptimizer(this, size);
            default -> new AdamOptimizer(this, size);
        };
    }
}
