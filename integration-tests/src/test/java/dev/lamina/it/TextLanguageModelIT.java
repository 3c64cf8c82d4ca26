package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.TrainedModel;
import dev.lamina.jobs.EvaluateJob;
import dev.lamina.jobs.GenerateJob;
import dev.lamina.jobs.TrainJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped character language models on the real Brown corpus, cut short: the text is packed into
 * windows on the executors, training lowers the loss per character far below a uniform guess
 * (7 bits), the job reports perplexity and bits per character, evaluate agrees, and generate samples
 * text. The same model trains from the user's own text files (data.format: text).
 */
class TextLanguageModelIT {
    private static final Path CONF = Path.of("..", "conf");

    private static double number(Map<String, Object> m, String key) {
        assertTrue(m.get(key) instanceof Number, key + " in " + m);
        return ((Number) m.get(key)).doubleValue();
    }

    @Test
    void brownTransformerLearnsAndGenerates(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("bt");
        String config = CONF.resolve("brown-transformer.yaml").toString();
        TrainedModel model = TrainJob.run(new String[] {"--config", config, "--output", out.toString(),
            "--master", "local[2]", "--set", "data.trainLimit=4096", "--set", "data.testLimit=256",
            "--set", "training.epochs=2", "--set", "training.batchSize=32",
            "--set", "training.optimizer.schedule.warmupSteps=10"});
        Map<String, Object> m = model.metrics();
        double bpc = number(m, "test_bits_per_char");
        System.out.printf("TextLanguageModelIT: transformer test_bits_per_char %.4f, perplexity %.3f after 2 epochs"
                + " on 4,096 windows (256 steps of 32)%n", bpc, number(m, "test_perplexity"));
        // Uniform over 128 ids is 7 bits; the characters' own frequencies alone (the training split's,
        // on the test split) give 4.45: below 4 the model uses the context. Measured here: 3.62.
        assertTrue(bpc < 4.0, "bits per character " + bpc);
        assertEquals(Math.pow(2, bpc), number(m, "test_perplexity"), 1e-6 * Math.pow(2, bpc));
        assertEquals(number(m, "test_loss") / Math.log(2), bpc, 1e-9);
        assertTrue(number(m, "test_accuracy") > 0.25, "next-character accuracy " + m.get("test_accuracy"));
        assertFalse(m.containsKey("test_macro_f1"), "no per-class figures for tokens: " + m);
        assertTrue(model.history().get(1).testLoss() < model.history().get(0).testLoss(), "the test loss falls");
        assertFalse(Files.readString(out.resolve("report.html")).contains("Confusion matrix"));

        Map<String, Object> evaluated = EvaluateJob.run(new String[] {"--model", out.toString(), "--config", config,
            "--master", "local[2]", "--set", "data.testLimit=256"});
        assertEquals(256L * 128, ((Number) evaluated.get("test_tokens")).longValue());
        assertEquals(bpc, number(evaluated, "test_bits_per_char"), 1e-9);

        String text = GenerateJob.run(new String[] {"--model", out.toString(), "--prompt", "The ", "--tokens", "200"});
        System.out.println("TextLanguageModelIT: generated: " + text.replace('\n', '|'));
        assertEquals(204, text.length());
        assertTrue(text.startsWith("The "));
        // A model at this loss writes spaces and the commonest letters, not uniform noise over 128 ids
        // (which would give about 1.6 spaces and 14 of these letters in 200 characters).
        long spaces = text.chars().filter(c -> c == ' ').count();
        long letters = text.chars().filter(c -> "etaoinshr".indexOf(c) >= 0).count();
        assertTrue(spaces >= 10 && letters >= 60, "generated text: " + text);
        assertEquals(text, GenerateJob.run(new String[] {"--model", out.toString(), "--prompt", "The ", "--tokens", "200"}),
                "the same seed samples the same text");
    }

    @Test
    void trainsOnTextFilesAndRefusesMismatchedData(@TempDir Path tmp) throws Exception {
        // The user's own text: part of the Brown corpus's training split as two files in a directory,
        // and a test file, read by Spark's text source.
        Path brown = TestCache.dir().resolve("brown").resolve("text").resolve("train.txt");
        String all = Files.exists(brown) ? Files.readString(brown, StandardCharsets.US_ASCII) : null;
        if (all == null) {
            // Fetch through the job once (the first test usually has).
            TrainJob.run(new String[] {"--config", CONF.resolve("brown-lstm.yaml").toString(), "--output",
                tmp.resolve("warm").toString(), "--master", "local[2]", "--set", "data.trainLimit=64",
                "--set", "data.testLimit=64", "--set", "training.epochs=1"});
            all = Files.readString(brown, StandardCharsets.US_ASCII);
        }
        Path train = Files.createDirectories(tmp.resolve("train"));
        int cut = all.indexOf('\n', 150_000) + 1;
        int end = all.indexOf('\n', 300_000) + 1;
        Files.writeString(train.resolve("part-1.txt"), all.substring(0, cut), StandardCharsets.US_ASCII);
        Files.writeString(train.resolve("part-2.txt"), all.substring(cut, end), StandardCharsets.US_ASCII);
        int testEnd = all.indexOf('\n', end + 40_000) + 1;
        String testText = all.substring(end, testEnd);
        Path test = tmp.resolve("test.txt");
        Files.writeString(test, testText, StandardCharsets.US_ASCII);

        String config = CONF.resolve("brown-lstm.yaml").toString();
        TrainedModel model = TrainJob.run(new String[] {"--config", config, "--output", tmp.resolve("bl").toString(),
            "--master", "local[2]", "--set", "data.dataset=files", "--set", "data.format=text",
            "--set", "data.train=" + train, "--set", "data.test=" + test, "--set", "training.epochs=1",
            "--set", "training.batchSize=32", "--set", "training.optimizer.schedule.warmupSteps=10"});
        Map<String, Object> m = model.metrics();
        double bpc = number(m, "test_bits_per_char");
        System.out.printf("TextLanguageModelIT: LSTM on text files test_bits_per_char %.4f after 1 epoch on 300 kB%n", bpc);
        // Below the 4.45 bits of character frequencies alone (measured here: 3.65).
        assertTrue(bpc < 4.0, "bits per character " + bpc);
        // One file is one partition: every window of 65 characters, one every 64, is a test sample.
        long windows = (testText.length() - 1) / 64;
        assertEquals(windows * 64, ((Number) m.get("test_tokens")).longValue());
        Map<String, Object> evaluated = EvaluateJob.run(new String[] {"--model", tmp.resolve("bl").toString(),
            "--config", config, "--master", "local[2]", "--set", "data.dataset=files", "--set", "data.format=text",
            "--set", "data.train=" + train, "--set", "data.test=" + test});
        assertEquals(windows * 64, ((Number) evaluated.get("test_tokens")).longValue());

        // A classifier on text, or a language model on images, is refused before training, saying why.
        IllegalArgumentException wrongModel = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(
                new String[] {"--config", CONF.resolve("mnist-mlp.yaml").toString(), "--output",
                    tmp.resolve("x").toString(), "--master", "local[2]", "--set", "data.dataset=brown"}));
        assertTrue(wrongModel.getMessage().contains("(expected: sequence-cross-entropy)"), wrongModel.getMessage());
        IllegalArgumentException wrongData = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(
                new String[] {"--config", config, "--output", tmp.resolve("y").toString(), "--master", "local[2]",
                    "--set", "data.dataset=mnist"}));
        assertTrue(wrongData.getMessage().contains("trains a language model (expected: data.dataset brown"),
                wrongData.getMessage());
    }
}
