package dev.lamina.jobs;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.ForwardStep;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.Targets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Samples text from a character language model, one token at a time: the context's last T
 * characters (T, the model's sequence length) go in from position 0, the rest of the window holds
 * spaces (the model is causal, so positions after the context do not change the prediction), and
 * the next character is drawn from the output at the context's last position, divided by the
 * temperature and cut to the top k ids. Temperature 0 takes the most probable character.
 */
final class TextGenerator {
    private final ForwardStep step;
    private final int length;
    private final int vocab;

    TextGenerator(ModelSpec spec, float[] parameters) {
        if (Targets.of(spec) != Targets.NEXT_TOKENS) {
            throw new IllegalArgumentException("model with loss " + spec.loss()
                    + " (expected: a language model, loss sequence-cross-entropy)");
        }
        Model model = Model.of(spec);
        if (parameters.length != model.parameterCount()) {
            throw new IllegalArgumentException("parameters : " + parameters.length + " values (expected: "
                    + model.parameterCount() + ")");
        }
        this.step = model.forwardStep(1, parameters, KernelProvider.kernels());
        this.length = spec.inputSize();
        this.vocab = spec.classes();
    }

    /** {@code prompt} followed by {@code tokens} sampled characters. */
    String generate(String prompt, int tokens, double temperature, int topK, long seed) {
        if (tokens < 0) {
            throw new IllegalArgumentException("--tokens " + tokens + " (expected: >= 0)");
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature " + temperature + " (expected: >= 0, 0 = most probable)");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k " + topK + " (expected: >= 0, 0 = all " + vocab + " ids)");
        }
        String start = prompt.isEmpty() ? "\n" : prompt;
        int[] context = new int[start.length() + tokens];
        for (int i = 0; i < start.length(); i++) {
            char c = start.charAt(i);
            context[i] = c < vocab ? c : '?';
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] p = new double[vocab];
        Integer[] order = new Integer[vocab];
        StringBuilder out = new StringBuilder(prompt);
        for (int n = start.length(); n < context.length; n++) {
            int w = Math.min(n, length);
            float[] x = step.features().data();
            int xo = step.features().offset();
            for (int i = 0; i < length; i++) {
                x[xo + i] = i < w ? context[n - w + i] : ' ' % vocab;
            }
            Arrays.fill(step.labels().data(), step.labels().offset(), step.labels().offset() + length, 0f);
            step.run();
            float[] o = step.output().data();
            int base = step.output().offset() + (w - 1) * vocab;
            int next = temperature == 0 ? argmax(o, base) : sample(o, base, temperature, topK, random, p, order);
            context[n] = next;
            out.append((char) next);
        }
        return out.toString();
    }

    private int argmax(float[] o, int base) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (o[base + v] > o[base + best]) {
                best = v;
            }
        }
        return best;
    }

    private int sample(float[] o, int base, double temperature, int topK, SplittableRandom random, double[] p,
                       Integer[] order) {
        int k = topK == 0 ? vocab : Math.min(topK, vocab);
        for (int v = 0; v < vocab; v++) {
            order[v] = v;
        }
        Arrays.sort(order, (a, b) -> Float.compare(o[base + b], o[base + a]));
        double max = o[base + order[0]];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp((o[base + order[i]] - max) / temperature);
            sum += p[i];
        }
        double u = random.nextDouble() * sum;
        for (int i = 0; i < k; i++) {
            u -= p[i];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[k - 1];
    }
}
