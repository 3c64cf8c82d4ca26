package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.ConvOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.PoolingOps;
import dev.lamina.engine.autodiff.SequenceOps;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;

/** A built {@link ConditionConfig}: x + conv1x1(avgpool(planes)), wired by {@link Model} with the saved outputs. */
final class ConditionLayer implements Layer {
    private final ConditionConfig config;
    private final Shape output;
    private final int planes;
    private final int factor;

    ConditionLayer(ConditionConfig config, Shape input, int planes, int factor) {
        this.config = config;
        this.output = input;
        this.planes = planes;
        this.factor = factor;
    }

    @Override
    public Shape outputShape() {
        return output;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(new ParameterSpec("weight", Shape.of(output.dim(0), planes, 1, 1), planes));
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        throw new IllegalStateException("condition from '" + config.from() + "' is wired by Model with the saved outputs");
    }

    /** x plus the projected planes of the saved output. */
    Node apply(Graph graph, Node x, List<Node> params, Map<String, Node> saved) {
        Node source = saved.get(config.from());
        Node cond = SequenceOps.slice(graph, source, 1, config.skip(), planes);
        if (factor > 1) {
            cond = PoolingOps.avgPool2d(graph, cond, factor, factor, factor, factor, 0, 0);
        }
        return graph.add(x, ConvOps.conv2d(graph, cond, params.get(0), 1, 1, 0, 0, 1, 1, 1));
    }
}
