package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/**
 * A multi-layer LSTM or GRU over [T, I] per sample (batch-first), in PyTorch's parameter layout and
 * names ({@code weight_ih_l0} [G*H, I], {@code weight_hh_l0} [G*H, H], {@code bias_ih_l0},
 * {@code bias_hh_l0}, ... with G = 4 for LSTM, 3 for GRU).
 *
 * @param cell     {@code lstm} or {@code gru} (the layer type)
 * @param hidden   hidden size H
 * @param layers   stacked layers
 * @param sequence true: output every step [T, H]; false: the last step's hidden state [H]
 */
public record RecurrentConfig(String cell, int hidden, int layers, boolean sequence) implements LayerConfig {

    public RecurrentConfig {
        if (!cell.equals("lstm") && !cell.equals("gru")) {
            throw new IllegalArgumentException("cell : " + cell + " (expected: lstm or gru)");
        }
        if (hidden < 1) {
            throw new IllegalArgumentException("hidden : " + hidden + " (expected: >= 1)");
        }
        if (layers < 1) {
            throw new IllegalArgumentException("layers : " + layers + " (expected: >= 1)");
        }
    }

    public static RecurrentConfig lstm(int hidden, int layers, boolean sequence) {
        return new RecurrentConfig("lstm", hidden, layers, sequence);
    }

    public static RecurrentConfig gru(int hidden, int layers, boolean sequence) {
        return new RecurrentConfig("gru", hidden, layers, sequence);
    }

    @Override
    public String type() {
        return cell;
    }

    @Override
    public Layer build(Shape input) {
        if (input.rank() != 2) {
            throw new IllegalArgumentException(cell + " input shape " + input + " (expected: [T, features])");
        }
        return new Recurrent(cell.equals("lstm"), input, hidden, layers, sequence);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("hidden", (long) hidden);
        m.put("layers", (long) layers);
        m.put("sequence", sequence);
        return m;
    }
}
