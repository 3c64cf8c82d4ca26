package dev.lamina.benchmarks.autodiff;

import dev.lamina.benchmarks.BenchmarkDefaults;
import dev.lamina.engine.autodiff.ConvOps;
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
 * Forward convolution, im2col + GEMM against direct row accumulation, per shape; the rule in
 * {@code ConvOps.direct} (AUTO) follows these figures. Shapes "B:C:H:W:O:K:pad:groups" (stride 1):
 * LeNet's two layers, a VGG-style 3x3 layer, a one-channel 3x3 layer and a depthwise 3x3 layer.
 * Run: {@code java -jar benchmarks/target/lamina-benchmarks-jmh.jar ConvBenchmark}.
 */
public class ConvBenchmark extends BenchmarkDefaults {

    @Param({"64:1:28:28:6:5:0:1", "64:6:12:12:16:5:0:1", "32:32:14:14:32:3:1:1", "64:1:28:28:8:3:1:1",
        "32:32:14:14:32:3:1:32"})
    public String shape;

    @Param({"1", "2"})
    public int strategy;

    private Plan plan;

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
        Node y = ConvOps.conv2d(g, x, wn, 1, 1, pad, pad, 1, 1, groups, strategy);
        plan = Plan.compile(KernelProvider.kernels(), g, List.of(y), Map.of());
        SplittableRandom random = new SplittableRandom(1);
        for (Node n : List.of(x, wn)) {
            Tensor t = plan.tensor(n);
            for (int i = 0; i < t.size(); i++) {
                t.data()[t.offset() + i] = (float) random.nextDouble(-1, 1);
            }
        }
    }

    @Benchmark
    public Plan forward() {
        plan.run();
        return plan;
    }
}
