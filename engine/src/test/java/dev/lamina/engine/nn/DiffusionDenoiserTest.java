package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.EmbeddingOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.Plan;
import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A tiny DDPM (Ho et al.) on 2-D points of the unit circle: an MLP denoiser gets x_t and the
 * engine's sinusoidal time embedding of t and is trained with the noise-prediction (MSE) loss. The
 * loss must fall, and ancestral sampling from pure noise must land near the circle, which pure noise
 * does not.
 */
class DiffusionDenoiserTest {
    private static final int STEPS = 50;
    private static final int EMBED = 16;
    private static final int BATCH = 128;

    private final double[] beta = new double[STEPS];
    private final double[] alphaBar = new double[STEPS];

    DiffusionDenoiserTest() {
        double prod = 1;
        for (int t = 0; t < STEPS; t++) {
            beta[t] = 1e-4 + (0.2 - 1e-4) * t / (STEPS - 1);
            prod *= 1 - beta[t];
            alphaBar[t] = prod;
        }
    }

    /** Computes the time embeddings of a batch of timesteps with the engine's TIME_EMBEDDING op. */
    private static final class TimeEmbedder {
        final Plan plan;
        final Tensor t;
        final Tensor out;

        TimeEmbedder(int batch) {
            Graph g = new Graph();
            Node tn = g.input("t", Shape.of(batch));
            Node e = EmbeddingOps.timeEmbedding(g, tn, EMBED);
            plan = Plan.compile(KernelProvider.kernels(), g, List.of(e), Map.of());
            t = plan.tensor(tn);
            out = plan.tensor(e);
        }
    }

    private static ModelSpec denoiser() {
        return new ModelSpec(List.of(2 + EMBED), List.of(new LinearConfig(64), new ReluConfig(), new LinearConfig(64),
                new ReluConfig(), new LinearConfig(2)), "mse");
    }

    /** Writes [x, embedding(t)] rows into features. */
    private static void features(Tensor features, double[][] x, TimeEmbedder embedder, int[] t) {
        for (int b = 0; b < t.length; b++) {
            embedder.t.data()[embedder.t.offset() + b] = t[b];
        }
        embedder.plan.run();
        int w = 2 + EMBED;
        for (int b = 0; b < t.length; b++) {
            features.data()[features.offset() + b * w] = (float) x[b][0];
            features.data()[features.offset() + b * w + 1] = (float) x[b][1];
            System.arraycopy(embedder.out.data(), embedder.out.offset() + b * EMBED, features.data(),
                    features.offset() + b * w + 2, EMBED);
        }
    }

    @Test
    void denoiserLearnsAndSamplesLandOnTheCircle() {
        Model model = Model.of(denoiser());
        float[] params = model.initialParameters(11);
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(BATCH, params, grads, KernelProvider.kernels());
        Optimizer adam = OptimizerConfig.defaults().withType("adam").withLearningRate(3e-3).create(model.parameterCount());
        TimeEmbedder embedder = new TimeEmbedder(BATCH);
        SplittableRandom random = new SplittableRandom(4);
        double[][] x = new double[BATCH][2];
        int[] t = new int[BATCH];
        double early = 0;
        double late = 0;
        int steps = 2500;
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < BATCH; b++) {
                double angle = random.nextDouble(2 * Math.PI);
                t[b] = random.nextInt(STEPS);
                double a = Math.sqrt(alphaBar[t[b]]);
                double sigma = Math.sqrt(1 - alphaBar[t[b]]);
                double e0 = random.nextGaussian();
                double e1 = random.nextGaussian();
                x[b][0] = a * Math.cos(angle) + sigma * e0;
                x[b][1] = a * Math.sin(angle) + sigma * e1;
                step.labels().data()[step.labels().offset() + 2 * b] = (float) e0;
                step.labels().data()[step.labels().offset() + 2 * b + 1] = (float) e1;
            }
            features(step.features(), x, embedder, t);
            float loss = step.run();
            early += s < 100 ? loss / 100 : 0;
            late += s >= steps - 100 ? loss / 100 : 0;
            adam.step(params, grads);
        }
        assertTrue(late < early * 0.75, "noise-prediction loss " + early + " -> " + late);

        double sampled = meanDistanceFromCircle(sample(model, params, embedder, new SplittableRandom(8)));
        double noise = meanDistanceFromCircle(gaussian(new SplittableRandom(8)));
        System.out.printf("DiffusionDenoiserTest: loss %.4f -> %.4f; mean | |x| - 1 | samples %.4f, noise %.4f%n",
                early, late, sampled, noise);
        assertTrue(sampled < 0.2 && sampled < noise / 2,
                "mean | |x| - 1 | of samples " + sampled + " (pure noise: " + noise + ")");
    }

    private double[][] sample(Model model, float[] params, TimeEmbedder embedder, SplittableRandom random) {
        ForwardStep forward = model.forwardStep(BATCH, params, KernelProvider.kernels());
        double[][] x = gaussian(random);
        int[] t = new int[BATCH];
        for (int step = STEPS - 1; step >= 0; step--) {
            java.util.Arrays.fill(t, step);
            features(forward.features(), x, embedder, t);
            forward.run();
            Tensor eps = forward.output();
            double coef = beta[step] / Math.sqrt(1 - alphaBar[step]);
            double scale = 1 / Math.sqrt(1 - beta[step]);
            double sigma = step > 0 ? Math.sqrt(beta[step]) : 0;
            for (int b = 0; b < BATCH; b++) {
                for (int d = 0; d < 2; d++) {
                    x[b][d] = scale * (x[b][d] - coef * eps.get(2 * b + d)) + sigma * random.nextGaussian();
                }
            }
        }
        return x;
    }

    private static double[][] gaussian(SplittableRandom random) {
        double[][] x = new double[BATCH][2];
        for (double[] p : x) {
            p[0] = random.nextGaussian();
            p[1] = random.nextGaussian();
        }
        return x;
    }

    private static double meanDistanceFromCircle(double[][] x) {
        double sum = 0;
        for (double[] p : x) {
            sum += Math.abs(Math.hypot(p[0], p[1]) - 1);
        }
        return sum / x.length;
    }
}
