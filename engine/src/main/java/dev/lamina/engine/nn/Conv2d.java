package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.ConvOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * y[B, filters, OH, OW] = conv2d(x[B, C, H, W], weight[filters, C / groups, k, k]) + bias[filters],
 * with PyTorch's parameter names and layout.
 */
final class Conv2d implements Layer {
    private final Conv2dConfig config;
    private final Shape weight;
    private final Shape output;

    Conv2d(Conv2dConfig config, Shape input) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("conv2d input shape " + input + " (expected: [channels, height, width])");
        }
        this.config = config;
        this.weight = Shape.of(config.filters(), Math.max(1, input.dim(0) / config.groups()), config.kernel(),
                config.kernel());
        this.output = StatelessLayer.probe(input, (g, x) -> conv(g, x, g.param("weight", weight), null));
    }

    @Override
    public Shape outputShape() {
        return output;
    }

    @Override
    public List<ParameterSpec> parameters() {
        List<ParameterSpec> ps = new ArrayList<>();
        ps.add(new ParameterSpec("weight", weight, weight.dim(1) * weight.dim(2) * weight.dim(3)));
        if (config.bias()) {
            ps.add(new ParameterSpec("bias", Shape.of(config.filters()), 0));
        }
        return ps;
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        // the bias joins the convolution's node (added as its output is written)
        return conv(graph, x, params.get(0), config.bias() ? params.get(1) : null);
    }

    private Node conv(Graph g, Node x, Node w, Node bias) {
        Conv2dConfig c = config;
        return ConvOps.conv2d(g, x, w, bias, c.stride(), c.stride(), c.padding(), c.padding(), c.dilation(),
                c.dilation(), c.groups(), ConvOps.AUTO);
    }
}
