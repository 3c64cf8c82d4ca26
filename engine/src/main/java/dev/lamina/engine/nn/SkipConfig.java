package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.Locale;
import java.util.Map;

/**
 * Named skip connections in a sequential spec: {@code save} keeps the current output under a name;
 * {@code add} adds a saved output of the same shape (a residual); {@code concat} joins a saved output
 * along a per-sample axis (0 = channels for [C, H, W] samples), as a U-Net's decoder does.
 *
 * @param kind {@code save}, {@code add} or {@code concat}
 * @param name the saved output's name
 * @param axis for concat: the per-sample axis to join along
 */
public record SkipConfig(String kind, String name, int axis) implements LayerConfig {

    public SkipConfig {
        kind = kind == null ? "" : kind.toLowerCase(Locale.ROOT);
        if (!kind.equals("save") && !kind.equals("add") && !kind.equals("concat")) {
            throw new IllegalArgumentException("skip kind : " + kind + " (expected: save, add or concat)");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(kind + " name : '" + name + "' (expected: a non-empty name)");
        }
        if (axis < 0) {
            throw new IllegalArgumentException("axis : " + axis + " (expected: >= 0)");
        }
    }

    @Override
    public String type() {
        return kind;
    }

    @Override
    public Layer build(Shape input) {
        throw new IllegalArgumentException(kind + " '" + name + "' needs the shapes of earlier saved outputs");
    }

    @Override
    public Layer build(Shape input, Map<String, Shape> saved) {
        if (kind.equals("save")) {
            if (saved.containsKey(name)) {
                throw new IllegalArgumentException("save name : " + name + " (expected: a name not saved before)");
            }
            return new SkipLayer(this, input);
        }
        Shape other = saved.get(name);
        if (other == null) {
            throw new IllegalArgumentException(kind + " from : " + name + " (expected one of the saved names "
                    + saved.keySet() + ")");
        }
        if (kind.equals("add")) {
            if (!other.equals(input)) {
                throw new IllegalArgumentException("add shape mismatch: x=" + input + ", " + name + "=" + other
                        + " (expected: equal shapes)");
            }
            return new SkipLayer(this, input);
        }
        if (axis >= input.rank() || input.rank() != other.rank()) {
            throw new IllegalArgumentException("concat of x=" + input + " and " + name + "=" + other + " on axis " + axis
                    + " (expected: equal ranks and axis < rank)");
        }
        int[] dims = input.dims();
        for (int i = 0; i < dims.length; i++) {
            if (i != axis && dims[i] != other.dim(i)) {
                throw new IllegalArgumentException("concat shape mismatch: x=" + input + ", " + name + "=" + other
                        + " (expected: equal except axis " + axis + ")");
            }
        }
        dims[axis] += other.dim(axis);
        return new SkipLayer(this, Shape.of(dims));
    }

    /** Records a save in {@code saved} (called by whoever walks the layers, after building this one). */
    void track(Shape output, Map<String, Shape> saved) {
        if (kind.equals("save")) {
            saved.put(name, output);
        }
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put(kind.equals("save") ? "name" : "from", name);
        if (kind.equals("concat")) {
            m.put("axis", (long) axis);
        }
        return m;
    }
}
