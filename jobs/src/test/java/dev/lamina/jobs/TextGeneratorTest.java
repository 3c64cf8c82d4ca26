package dev.lamina.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sampling from a character model: length, determinism by seed, greedy and top-k, and bad arguments. */
class TextGeneratorTest {

    private static ModelSpec spec() {
        return ModelSpec.fromMap(Map.of("input", List.of(8), "loss", "sequence-cross-entropy", "layers", List.of(
                Map.of("type", "embedding", "vocab", 128, "dim", 8),
                Map.of("type", "lstm", "hidden", 16, "layers", 1, "sequence", true),
                Map.of("type", "linear", "units", 128))));
    }

    @Test
    void samplesAfterThePromptReproduciblyBySeed() {
        float[] params = Model.of(spec()).initialParameters(3);
        TextGenerator g = new TextGenerator(spec(), params);
        String a = g.generate("The ", 40, 1.0, 0, 7);
        assertEquals(44, a.length());
        assertTrue(a.startsWith("The "));
        assertTrue(a.chars().allMatch(c -> c < 128));
        assertEquals(a, new TextGenerator(spec(), params).generate("The ", 40, 1.0, 0, 7));
        assertNotEquals(a, g.generate("The ", 40, 1.0, 0, 8));
        // Past the sequence length the window slides: still one character per step.
        assertEquals(4 + 30, g.generate("The ", 30, 0, 0, 1).length());
    }

    @Test
    void topOneAndTemperatureZeroAreTheMostProbableCharacter() {
        TextGenerator g = new TextGenerator(spec(), Model.of(spec()).initialParameters(5));
        String greedy = g.generate("ab", 20, 0, 0, 1);
        assertEquals(greedy, g.generate("ab", 20, 1.5, 1, 99));
    }

    @Test
    void refusesModelsAndArgumentsItCannotUse() {
        ModelSpec classifier = ModelSpec.fromMap(Map.of("input", List.of(4), "loss", "softmax-cross-entropy", "layers",
                List.of(Map.of("type", "linear", "units", 3))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TextGenerator(classifier, new float[15]));
        assertTrue(e.getMessage().contains("expected: a language model"), e.getMessage());
        TextGenerator g = new TextGenerator(spec(), Model.of(spec()).initialParameters(5));
        assertThrows(IllegalArgumentException.class, () -> g.generate("x", -1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> g.generate("x", 5, -0.5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> g.generate("x", 5, 1, -2, 1));
    }
}
