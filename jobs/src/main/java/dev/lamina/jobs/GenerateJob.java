package dev.lamina.jobs;

import dev.lamina.driver.ModelFiles;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code lamina generate --model DIR [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K]
 * [--seed S]}: prints the prompt followed by N characters sampled from a trained character language
 * model (read from any Hadoop file system; no Spark needed).
 */
public final class GenerateJob {

    private GenerateJob() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (Throwable t) {
            Jobs.fail("generate", t);
        }
    }

    /** The prompt and the sampled text (for tests and embedding); errors propagate. */
    public static String run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, Set.of("model", "prompt", "tokens", "temperature", "top-k", "seed"));
        ModelFiles.Saved saved = ModelFiles.read(parsed.required("model"), new Configuration());
        TextGenerator generator = new TextGenerator(saved.spec(), saved.parameters());
        var o = parsed.options();
        return generator.generate(o.getOrDefault("prompt", "The "), JobArgs.integer(o, "tokens", 200),
                JobArgs.decimal(o, "temperature", 0.8), JobArgs.integer(o, "top-k", 40), JobArgs.integer(o, "seed", 1));
    }
}
