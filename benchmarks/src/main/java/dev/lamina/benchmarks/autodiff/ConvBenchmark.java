package dev.lamina.benchmarks.autodiff;

import dev.lamina.benchmarks.BenchmarkDefaults;
import dev.lamina.engine.autodiff.ConvOps;
import dev.lamina.engine.autodiff.Gradients;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.Plan;
import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Convolution per strategy and shape: {@code forward} alone, {@code forwardAndWeightGradient}
 * (the forward plus d loss / d w, what a first layer computes in a training step) and
 * {@code forwardAndBothGradients} (plus d loss / d x: any later layer). Strategies: 1 im2col + GEMM,
 * 2 direct row accumulation, 3 direct convolution of a padded copy, 4 sample lanes; the rules in
 * {@code ConvOps.direct}, {@code ConvOps.padded} and {@code ConvOps.lanes} (AUTO) follow these
 * figures. Shapes "B:C:H:W:O:K:pad:groups" (stride 1): LeNet's two layers (the first with and without
 * padding; the second at its 14x14 and at 12x12), a
 * VGG-style 3x3 layer, one-channel 3x3 layers to 8 and 32 channels (fashion-cnn's first) and a
 * depthwise 3x3 layer. A strategy a shape does not allow (PADDED on the depthwise layer) fails in
 * set-up, which JMH reports before going on; pick combinations with {@code -p shape=... -p strategy=...}.
 * Run: {@code java -jar benchmarks/target/lamina-benchmarks-jmh.jar ConvBenchmark}.
 */
public class ConvBenchmark extends BenchmarkDefaults {

    @Param({"64:1:28:28:6:5:0:1", "64:1:28:28:6:5:2:1", "64:6:14:14:16:5:0:1", "64:6:12:12:16:5:0:1",
        "32:32:14:14:32:3:1:1",
        "64:1:28:28:8:3:1:1", "64:1:28:28:32:3:1:1", "32:32:14:14:32:3:1:32"})
    public String shape;

    @Param({"1", "2", "3", "4"})
    public int strategy;

    private Plan plan;
    private Plan training;
    private Plan both;

    @Setup
    public void setUp() {
        String[] s = shape.split(":");
        int b = Integer.parseInt(s[0]);
        int c = Integer.parseInt(s[1]);
        int h = Integer.parseInt(s[2]);
        int w = Integer.parseInt(s[3]);
        int o = Integer.parseInt(s[4]);
        int k = Integer.parseInt(s[5]);
        int pad = Integer.parseInt(s[6]);
        int groups = Integer.parseInt(s[7]);
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(b, c, h, w));
        Node wn = g.input("w", Shape.of(o, c / groups, k, k));
        Node y;
        try {
            y = ConvOps.conv2d(g, x, wn, 1, 1, pad, pad, 1, 1, groups, strategy);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("strategy " + strategy + " does not apply to " + shape, e);
        }
        Node r = g.input("r", y.shape());
        Map<Node, Node> grads = Gradients.of(g, g.sum(g.mul(y, r)), List.of(wn, x));
        Node dw = grads.get(wn);
        plan = Plan.compile(KernelProvider.kernels(), g, List.of(y), Map.of());
        training = Plan.compile(KernelProvider.kernels(), g, List.of(y, dw), Map.of());
        both = Plan.compile(KernelProvider.kernels(), g, List.of(y, dw, grads.get(x)), Map.of());
        for (Plan p : List.of(plan, training, both)) {
            SplittableRandom random = new SplittableRandom(1);
            for (Node n : List.of(x, wn, r)) {
                if (p == plan && n == r) {
                    continue;
                }
                Tensor t = p.tensor(n);
                for (int i = 0; i < t.size(); i++) {
                    t.data()[t.offset() + i] = (float) random.nextDouble(-1, 1);
                }
            }
        }
    }

    @Benchmark
    public Plan forwardAndWeightGradient() {
        training.run();
        return training;
    }

    @Benchmark
    public Plan forwardAndBothGradients() {
        both.run();
        return both;
    }

    @Benchmark
    public Plan forward() {
        plan.run();
        return plan;
    }
}
