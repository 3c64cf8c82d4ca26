package dev.lamina.jobs;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@code Main} with other arguments in a fresh JVM with this JVM's options and class path, so that
 * a benchmark run starts cold like a user's job (its own JIT warm-up, its own Spark session). The
 * child's standard output is echoed with a prefix, except the one line starting with
 * {@link ScalingResult#MARKER}, which is returned; its standard error goes to a log file.
 */
final class ChildJvm {

    private ChildJvm() {
    }

    /** The java command and JVM options of this process, ready for a child of the same kind. */
    static List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-agentlib") && !option.startsWith("-javaagent")) {
                command.add(option);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        return command;
    }

    /**
     * Runs {@code Main args} in a child JVM (optionally behind {@code prefix}, e.g. {@code ip netns exec
     * NAME}); returns its result line, or empty when it printed none. Fails when the child exits with a
     * non-zero status, naming its log.
     */
    static Optional<String> run(List<String> prefix, List<String> args, String label, File log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(javaCommand());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log)).start();
        Optional<String> result = Optional.empty();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(ScalingResult.MARKER)) {
                    result = Optional.of(line);
                } else {
                    System.out.println("  [" + label + "] " + line);
                }
            }
        } finally {
            if (process.isAlive()) {
                process.destroy();
            }
        }
        int status = process.waitFor();
        if (status != 0) {
            throw new IllegalStateException(label + ": the child JVM exited with status " + status + " (its log: "
                    + log + ")");
        }
        return result;
    }
}
