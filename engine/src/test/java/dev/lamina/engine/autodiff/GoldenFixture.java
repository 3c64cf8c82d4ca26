package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.io.Json;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A PyTorch fixture from {@code golden/seq/<case>.json} (written by
 * {@code src/test/python/golden_seq.py}): differentiable "params" become PARAM nodes, "inputs" INPUT
 * nodes; the test's builder makes the op; the output and the gradient of sum(output * upstream)
 * with respect to every param are compared with PyTorch's.
 */
public final class GoldenFixture {
    private final String name;
    private final Map<String, Object> doc;

    private GoldenFixture(String name, Map<String, Object> doc) {
        this.name = name;
        this.doc = doc;
    }

    @SuppressWarnings("unchecked")
    public static GoldenFixture load(String name) {
        String path = "/golden/seq/" + name + ".json";
        try (InputStream in = GoldenFixture.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + path);
            }
            return new GoldenFixture(name, (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A scalar attribute of the case. */
    public Object attr(String key) {
        return section("attrs").get(key);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> section(String key) {
        return (Map<String, Object>) doc.get(key);
    }

    @SuppressWarnings("unchecked")
    static Shape shape(Object tensor) {
        List<Object> dims = (List<Object>) ((Map<String, Object>) tensor).get("shape");
        return Shape.of(dims.stream().mapToInt(d -> ((Number) d).intValue()).toArray());
    }

    @SuppressWarnings("unchecked")
    static float[] data(Object tensor) {
        List<Object> values = (List<Object>) ((Map<String, Object>) tensor).get("data");
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.get(i)).floatValue();
        }
        return out;
    }

    /** The values of a param or input tensor of the case. */
    public float[] values(String tensor) {
        Object t = section("params").containsKey(tensor) ? section("params").get(tensor) : section("inputs").get(tensor);
        return data(t);
    }

    /**
     * Runs the case and asserts the output within {@code outTol} and every gradient within
     * {@code gradTol} (absolute). Returns the max absolute error of each ("output", "d name").
     */
    public Map<String, Double> compare(Kernels kernels, BiFunction<Graph, Map<String, Node>, Node> build,
                                       double outTol, double gradTol) {
        Graph g = new Graph();
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<Node, Tensor> bindings = new HashMap<>();
        List<Node> params = new ArrayList<>();
        section("params").forEach((k, v) -> {
            Node p = g.param(k, shape(v));
            nodes.put(k, p);
            params.add(p);
            bindings.put(p, new Tensor(p.shape(), data(v), 0));
        });
        section("inputs").forEach((k, v) -> nodes.put(k, g.input(k, shape(v))));
        Node out = build.apply(g, nodes);
        float[] expectedOut = data(doc.get("output"));
        assertEquals(expectedOut.length, out.shape().size(), name + " output " + out.shape());
        Node up = g.input("__upstream", out.shape());
        Node loss = g.sum(g.mul(out, up));
        Map<Node, Node> grads = Gradients.of(g, loss, params);
        List<Node> outputs = new ArrayList<>(List.of(out));
        Map<String, Node> gradNodes = new LinkedHashMap<>();
        for (Node p : params) {
            Node gn = grads.get(p);
            if (gn.inputs().isEmpty()) {
                gn = g.copy(gn);
            }
            gradNodes.put(p.name(), gn);
            outputs.add(gn);
        }
        Plan plan = Plan.compile(kernels, g, outputs, bindings);
        section("inputs").forEach((k, v) -> {
            if (usedBy(g, outputs, nodes.get(k))) {
                fill(plan.tensor(nodes.get(k)), data(v));
            }
        });
        fill(plan.tensor(up), data(doc.get("upstream")));
        plan.run();
        Map<String, Double> errors = new LinkedHashMap<>();
        errors.put("output", maxError(expectedOut, plan.tensor(out)));
        gradNodes.forEach((k, gn) -> errors.put("d " + k, maxError(data(section("grads").get(k)), plan.tensor(gn))));
        System.out.println("GOLDEN " + name + " " + kernels.getClass().getSimpleName() + " " + errors);
        errors.forEach((k, e) -> assertTrue(e <= (k.equals("output") ? outTol : gradTol),
                name + " " + k + " max abs error " + e));
        return errors;
    }

    private static boolean usedBy(Graph g, List<Node> outputs, Node input) {
        for (Node n : g.nodes()) {
            if (n.inputs().contains(input)) {
                return true;
            }
        }
        return outputs.contains(input);
    }

    private static void fill(Tensor t, float[] values) {
        System.arraycopy(values, 0, t.data(), t.offset(), values.length);
    }

    private static double maxError(float[] expected, Tensor actual) {
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual.get(i)));
        }
        return max;
    }
}
