package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Gradients;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.Op;
import dev.lamina.engine.autodiff.Plan;
import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.loss.LossFunction;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model built from a {@link ModelSpec}: its layers and the layout of all parameters in one flat
 * {@code float[]}. A model holds no parameter values itself; it compiles steps that read parameters
 * from, and write gradients to, flat buffers the caller owns (a worker, a parameter server, a file).
 */
public final class Model {
    private final ModelSpec spec;
    private final List<Layer> layers;
    private final List<List<ParameterView>> layerParams;
    private final List<ParameterView> parameters;
    private final int parameterCount;

    private Model(ModelSpec spec) {
        this.spec = spec;
        this.layers = new ArrayList<>();
        this.layerParams = new ArrayList<>();
        this.parameters = new ArrayList<>();
        long[] offset = {0};
        SkipLayer.walk(spec.input(), spec.layers(), (i, layer) -> {
            List<ParameterView> views = new ArrayList<>();
            for (ParameterSpec p : layer.parameters()) {
                views.add(new ParameterView("layers." + i + "." + p.name(), p.shape(), (int) offset[0]));
                offset[0] += p.shape().size();
                if (offset[0] > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("model has more than 2^31 parameters");
                }
            }
            layers.add(layer);
            layerParams.add(views);
            parameters.addAll(views);
        });
        this.parameterCount = (int) offset[0];
    }

    public static Model of(ModelSpec spec) {
        return new Model(spec);
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The total number of parameters: the length of the flat parameter and gradient buffers. */
    public int parameterCount() {
        return parameterCount;
    }

    public List<ParameterView> parameters() {
        return List.copyOf(parameters);
    }

    /** The parameter that owns flat index {@code index} (for error messages). */
    public ParameterView parameterAt(int index) {
        for (ParameterView p : parameters) {
            if (index >= p.offset() && index < p.offset() + p.size()) {
                return p;
            }
        }
        throw new IllegalArgumentException("index : " + index + " (expected: 0.." + (parameterCount - 1) + ")");
    }

    /**
     * Fresh parameters: weights He-uniform U(-sqrt(6 / fanIn), sqrt(6 / fanIn)), others constant (biases zero, scales one), drawn
     * from one seeded stream in parameter order, so a seed fixes the model.
     */
    public float[] initialParameters(long seed) {
        float[] values = new float[parameterCount];
        SplittableRandom random = new SplittableRandom(seed);
        for (ParameterView p : parameters) {
            ParameterSpec ps = parameterSpec(p);
            int fanIn = ps.fanIn();
            if (fanIn == 0) {
                Arrays.fill(values, p.offset(), p.offset() + p.size(), ps.init());
                continue;
            }
            double bound = Math.sqrt(6.0 / fanIn);
            for (int i = 0; i < p.size(); i++) {
                values[p.offset() + i] = (float) random.nextDouble(-bound, bound);
            }
        }
        return values;
    }

    private ParameterSpec parameterSpec(ParameterView view) {
        for (int l = 0; l < layers.size(); l++) {
            List<ParameterView> views = layerParams.get(l);
            int i = views.indexOf(view);
            if (i >= 0) {
                return layers.get(l).parameters().get(i);
            }
        }
        throw new IllegalStateException("parameter " + view.name() + " has no layer");
    }

    /** Views of every parameter in {@code values} by name (for saving). */
    public Map<String, Tensor> tensors(float[] values) {
        checkLength("parameters", values);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParameterView p : parameters) {
            out.put(p.name(), new Tensor(p.shape(), values, p.offset()));
        }
        return out;
    }

    /** Compiles a training step for batches of {@code batch} samples. */
    public TrainingStep trainingStep(int batch, float[] params, float[] grads, Kernels kernels) {
        checkLength("parameters", params);
        checkLength("gradients", grads);
        return compileTraining(build(batch, true), params, grads, kernels, Map.of());
    }

    /**
     * A training step on {@code threads} threads. When every layer sees each row on its own (no batch
     * norm, no dropout) and the batch has at least 2 rows per thread, the batch is cut into
     * {@code threads} contiguous parts trained at the same time, each by its own single-threaded plan
     * ({@link ParallelTrainingStep}: one synchronisation per step instead of one per matrix product);
     * the gradient is the rows-weighted mean of the parts' mean-loss gradients, which is the whole
     * batch's for row-averaged losses (for a sequence loss with ignored targets the parts are weighted
     * by rows, not by counted targets). Otherwise one plan whose matrix products share the threads.
     */
    public TrainingStep trainingStep(int batch, float[] params, float[] grads, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads : " + threads + " (expected: >= 1)");
        }
        if (threads == 1 || batch < 2 * threads || !rowsIndependent()) {
            return trainingStep(batch, params, grads, KernelProvider.kernels(threads));
        }
        checkLength("parameters", params);
        checkLength("gradients", grads);
        Built whole = build(batch, true);
        Tensor features = new Tensor(whole.features.shape(), new float[whole.features.shape().size()], 0);
        Tensor labels = new Tensor(whole.labels.shape(), new float[whole.labels.shape().size()], 0);
        Tensor output = new Tensor(whole.logp.shape(), new float[whole.logp.shape().size()], 0);
        TrainingStep[] parts = new TrainingStep[threads];
        float[][] partGrads = new float[threads][];
        int[] rows = new int[threads];
        int start = 0;
        for (int i = 0; i < threads; i++) {
            rows[i] = batch / threads + (i < batch % threads ? 1 : 0);
            Built b = build(rows[i], true);
            Map<Node, Tensor> views = Map.of(b.features, rowsOf(features, b.features, start, batch),
                    b.labels, rowsOf(labels, b.labels, start, batch), b.logp, rowsOf(output, b.logp, start, batch));
            partGrads[i] = i == 0 ? grads : new float[parameterCount];
            parts[i] = compileTraining(b, params, partGrads[i], KernelProvider.kernels(), views);
            start += rows[i];
        }
        return new ParallelTrainingStep(features, labels, output, spec.lossFunction().classification(), parts, rows,
                grads, partGrads, KernelProvider.kernels());
    }

    /** Whether every layer computes each row from that row alone (no batch statistics, no dropout masks). */
    private boolean rowsIndependent() {
        for (LayerConfig layer : spec.layers()) {
            if (layer.type().equals("batchnorm") || layer.type().equals("dropout")) {
                return false;
            }
        }
        return true;
    }

    /** Rows [start, start + rows of node) of a [batch, ...] tensor, as storage for {@code node}. */
    private static Tensor rowsOf(Tensor whole, Node node, int start, int batch) {
        int width = whole.size() / batch;
        return new Tensor(node.shape(), whole.data(), whole.offset() + start * width);
    }

    private TrainingStep compileTraining(Built b, float[] params, float[] grads, Kernels kernels,
                                         Map<Node, Tensor> views) {
        Map<Node, Node> gradNodes = Gradients.of(b.graph, b.loss, b.paramNodes);
        Map<Node, Tensor> bindings = new HashMap<>(b.bindings(params));
        bindings.putAll(views);
        List<Node> outputs = new ArrayList<>(List.of(b.loss, b.logp));
        for (int i = 0; i < b.paramNodes.size(); i++) {
            Node g = gradNodes.get(b.paramNodes.get(i));
            if (bindings.containsKey(g) || g.inputs().isEmpty()) {
                g = b.graph.copy(g);
            }
            ParameterView view = parameters.get(i);
            bindings.put(g, new Tensor(view.shape(), grads, view.offset()));
            outputs.add(g);
        }
        Plan plan = Plan.compile(kernels, b.graph, outputs, bindings);
        return new TrainingStep(plan, b.features, b.labels, b.loss, b.logp, spec.lossFunction().classification());
    }

    /** Compiles a forward-only step (no gradient buffers) for batches of {@code batch} samples. */
    public ForwardStep forwardStep(int batch, float[] params, Kernels kernels) {
        checkLength("parameters", params);
        Built b = build(batch, false);
        Plan plan = Plan.compile(kernels, b.graph, List.of(b.loss, b.logp), b.bindings(params));
        return new ForwardStep(plan, b.features, b.labels, b.loss, b.logp, spec.lossFunction().classification());
    }

    /**
     * Compiles the collection of population statistics for this model's batch-norm layers from
     * training-mode forward passes over batches of {@code batch} samples (precise batch norm; see
     * {@link BatchNorm}). Works, and writes nothing, for a model without batch norm.
     */
    public BatchNormStatistics batchNormStatistics(int batch, float[] params, Kernels kernels) {
        checkLength("parameters", params);
        Built b = build(batch, true);
        List<Node> nodes = new ArrayList<>();
        for (Node n : b.graph.nodes()) {
            if (n.op() == Op.BATCH_NORM) {
                nodes.add(n);
            }
        }
        List<ParameterView> means = new ArrayList<>();
        List<ParameterView> vars = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l) instanceof BatchNorm) {
                means.add(layerParams.get(l).get(2));
                vars.add(layerParams.get(l).get(3));
            }
        }
        if (nodes.size() != means.size()) {
            throw new IllegalStateException(nodes.size() + " batch-norm ops for " + means.size() + " batch-norm layers");
        }
        List<Node> outputs = new ArrayList<>(nodes);
        outputs.add(b.features);
        Plan plan = Plan.compile(kernels, b.graph, outputs, b.bindings(params));
        return new BatchNormStatistics(plan, b.features, nodes, means, vars);
    }

    private Built build(int batch, boolean training) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch : " + batch + " (expected: >= 1)");
        }
        Graph graph = new Graph();
        int[] in = spec.input().dims();
        int[] dims = new int[in.length + 1];
        dims[0] = batch;
        System.arraycopy(in, 0, dims, 1, in.length);
        Node features = graph.input("features", Shape.of(dims));
        List<Node> paramNodes = new ArrayList<>();
        Map<String, Node> saved = new HashMap<>();
        Node x = features;
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l) instanceof SkipLayer skip) {
                x = skip.wire(graph, x, saved);
                continue;
            }
            List<Node> ps = new ArrayList<>();
            for (ParameterView view : layerParams.get(l)) {
                ps.add(graph.param(view.name(), view.shape()));
            }
            paramNodes.addAll(ps);
            x = layers.get(l) instanceof ConditionLayer condition ? condition.apply(graph, x, ps, saved)
                    : layers.get(l).apply(graph, x, ps, training);
        }
        LossFunction lossFunction = spec.lossFunction();
        Node labels = graph.input("labels", lossFunction.targetShape(x.shape()));
        Node loss = lossFunction.build(graph, x, labels);
        return new Built(graph, features, labels, x, loss, paramNodes);
    }

    private void checkLength(String what, float[] buffer) {
        if (buffer.length != parameterCount) {
            throw new IllegalArgumentException(what + " length : " + buffer.length + " (expected: " + parameterCount + ")");
        }
    }

    private final class Built {
        final Graph graph;
        final Node features;
        final Node labels;
        final Node logp;
        final Node loss;
        final List<Node> paramNodes;

        Built(Graph graph, Node features, Node labels, Node logp, Node loss, List<Node> paramNodes) {
            this.graph = graph;
            this.features = features;
            this.labels = labels;
            this.logp = logp;
            this.loss = loss;
            this.paramNodes = paramNodes;
        }

        Map<Node, Tensor> bindings(float[] params) {
            Map<Node, Tensor> m = new HashMap<>();
            for (int i = 0; i < paramNodes.size(); i++) {
                ParameterView view = parameters.get(i);
                m.put(paramNodes.get(i), new Tensor(view.shape(), params, view.offset()));
            }
            return m;
        }
    }
}
