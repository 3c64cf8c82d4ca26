package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.GruOps;
import dev.lamina.engine.autodiff.LstmOps;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.SequenceOps;
import dev.lamina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Stacked LSTM or GRU layers over x [B, T, I] with zero initial states, each a fused op (see
 * {@link LstmOps}, {@link GruOps}). Weights start uniform in +-1/sqrt(H) as in PyTorch (expressed as
 * He-uniform with fan-in 6H); biases start at zero.
 */
final class Recurrent implements Layer {
    private final boolean lstm;
    private final Shape input;
    private final int hidden;
    private final int layers;
    private final boolean sequence;

    Recurrent(boolean lstm, Shape input, int hidden, int layers, boolean sequence) {
        this.lstm = lstm;
        this.input = input;
        this.hidden = hidden;
        this.layers = layers;
        this.sequence = sequence;
    }

    @Override
    public Shape outputShape() {
        return sequence ? Shape.of(input.dim(0), hidden) : Shape.of(hidden);
    }

    @Override
    public List<ParameterSpec> parameters() {
        int gates = (lstm ? 4 : 3) * hidden;
        List<ParameterSpec> ps = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? input.dim(1) : hidden;
            ps.add(new ParameterSpec("weight_ih_l" + l, Shape.of(gates, in), 6 * hidden));
            ps.add(new ParameterSpec("weight_hh_l" + l, Shape.of(gates, hidden), 6 * hidden));
            ps.add(new ParameterSpec("bias_ih_l" + l, Shape.of(gates), 0));
            ps.add(new ParameterSpec("bias_hh_l" + l, Shape.of(gates), 0));
        }
        return ps;
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        Node h = x;
        for (int l = 0; l < layers; l++) {
            List<Node> p = params.subList(4 * l, 4 * l + 4);
            h = lstm ? LstmOps.lstm(graph, h, p.get(0), p.get(1), p.get(2), p.get(3))
                    : GruOps.gru(graph, h, p.get(0), p.get(1), p.get(2), p.get(3));
        }
        if (sequence) {
            return h;
        }
        int t = input.dim(0);
        return SequenceOps.reshape(graph, SequenceOps.slice(graph, h, 1, t - 1, 1), Shape.of(x.shape().dim(0), hidden));
    }
}
