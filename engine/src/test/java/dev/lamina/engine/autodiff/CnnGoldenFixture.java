package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
 * A PyTorch golden fixture written by {@code src/test/python/golden_cnn.py}: inputs, an upstream
 * gradient, the output and the input gradients of one op call. {@link #check} runs the engine's op on
 * the same inputs and asserts |engine - torch| <= ABS + REL |torch| for the output and every gradient.
 */
final class CnnGoldenFixture {
    /** Absolute tolerance. */
    static final double ABS = 1e-5;
    /** Relative tolerance. */
    static final double REL = 1e-4;

    private final String name;
    private final Map<String, ?> root;

    private CnnGoldenFixture(String name, Map<String, ?> root) {
        this.name = name;
        this.root = root;
    }

    @SuppressWarnings("unchecked")
    static CnnGoldenFixture load(String name) {
        try (InputStream in = CnnGoldenFixture.class.getResourceAsStream("/golden/cnn/" + name + ".json")) {
            assertNotNull(in, "missing fixture " + name + "; run src/test/python/golden_cnn.py");
            return new CnnGoldenFixture(name, (Map<String, ?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int intAttr(String key) {
        return ((Number) map("attrs").get(key)).intValue();
    }

    double doubleAttr(String key) {
        return ((Number) map("attrs").get(key)).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private Map<String, ?> map(String key) {
        return (Map<String, ?>) root.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Shape shape(Object tensor) {
        List<Number> dims = (List<Number>) ((Map<String, ?>) tensor).get("shape");
        return Shape.of(dims.stream().mapToInt(Number::intValue).toArray());
    }

    @SuppressWarnings("unchecked")
    private static double[] data(Object tensor) {
        List<Number> d = (List<Number>) ((Map<String, ?>) tensor).get("data");
        return d.stream().mapToDouble(Number::doubleValue).toArray();
    }

    /**
     * Builds op(inputs) with one parameter node per fixture input (by name), runs it and its gradients
     * with {@code kernels}, asserts every value within tolerance and returns the largest absolute
     * error of the output and of each gradient, keyed "output" and "d" + input name.
     */
    Map<String, Double> check(Kernels kernels, BiFunction<Graph, Map<String, Node>, Node> op) {
        Graph g = new Graph();
        Map<String, Node> params = new LinkedHashMap<>();
        map("inputs").forEach((k, v) -> params.put(k, g.param(k, shape(v))));
        Node out = op.apply(g, params);
        assertEquals(shape(root.get("output")), out.shape(), name + " output shape");
        Node up = g.input("upstream", out.shape());
        Node loss = g.sum(g.mul(out, up));
        List<Node> wrt = new ArrayList<>();
        map("grads").keySet().forEach(k -> wrt.add(params.get(k)));
        Map<Node, Node> grads = Gradients.of(g, loss, wrt);
        Map<Node, Tensor> bindings = new HashMap<>();
        map("inputs").forEach((k, v) -> bindings.put(params.get(k), tensor(shape(v), data(v))));
        List<Node> outputs = new ArrayList<>(List.of(out));
        outputs.addAll(grads.values());
        Plan plan = Plan.compile(kernels, g, outputs, bindings);
        double[] upstream = data(root.get("upstream"));
        Tensor ut = plan.tensor(up);
        for (int i = 0; i < upstream.length; i++) {
            ut.data()[ut.offset() + i] = (float) upstream[i];
        }
        plan.run();
        Map<String, Double> errors = new LinkedHashMap<>();
        errors.put("output", compare("output", data(root.get("output")), plan.tensor(out)));
        map("grads").forEach((k, v) -> errors.put("d" + k, compare("d" + k, data(v), plan.tensor(grads.get(params.get(k))))));
        System.out.println("golden " + name + " (" + kernels.getClass().getSimpleName() + ") max abs error " + errors);
        return errors;
    }

    private double compare(String what, double[] expected, Tensor actual) {
        assertEquals(expected.length, actual.size(), name + " " + what + " size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double a = actual.get(i);
            double err = Math.abs(a - expected[i]);
            assertTrue(err <= ABS + REL * Math.abs(expected[i]),
                    name + " " + what + "[" + i + "]: engine " + a + ", torch " + expected[i]);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    private static Tensor tensor(Shape shape, double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return new Tensor(shape, f, 0);
    }
}
