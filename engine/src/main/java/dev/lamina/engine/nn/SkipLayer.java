package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.SequenceOps;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;

/** A built {@link SkipConfig}: wired by {@link Model} with the named nodes saved so far. */
final class SkipLayer implements Layer {
    private final SkipConfig config;
    private final Shape output;

    SkipLayer(SkipConfig config, Shape output) {
        this.config = config;
        this.output = output;
    }

    @Override
    public Shape outputShape() {
        return output;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        throw new IllegalStateException(config.kind() + " '" + config.name() + "' is wired by Model with the saved outputs");
    }

    /** Saves x, or adds/concatenates the saved node; returns the layer's output. */
    Node wire(Graph graph, Node x, Map<String, Node> saved) {
        return switch (config.kind()) {
            case "save" -> {
                saved.put(config.name(), x);
                yield x;
            }
            case "add" -> graph.add(x, saved.get(config.name()));
            default -> SequenceOps.concat(graph, config.axis() + 1, List.of(x, saved.get(config.name())));
        };
    }

    /** Builds every layer of a spec in order, threading saved shapes through skip layers. */
    static Shape walk(Shape input, List<LayerConfig> configs, java.util.function.BiConsumer<Integer, Layer> each) {
        Map<String, Shape> saved = new java.util.HashMap<>();
        Shape shape = input;
        for (int i = 0; i < configs.size(); i++) {
            LayerConfig c = configs.get(i);
            Layer layer;
            try {
                layer = c.build(shape, saved);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model.layers[" + i + "]: " + e.getMessage(), e);
            }
            if (c instanceof SkipConfig skip) {
                skip.track(shape, saved);
            }
            each.accept(i, layer);
            shape = layer.outputShape();
        }
        return shape;
    }
}
