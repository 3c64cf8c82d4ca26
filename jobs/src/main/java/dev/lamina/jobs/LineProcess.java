package dev.lamina.jobs;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM (running {@code Main} with the given arguments, optionally behind a command prefix such
 * as {@code ip netns exec NAME}), or another program, spoken to in lines: lines sent to its standard input, lines read from
 * its standard output with a timeout. Its standard error goes to a log file.
 */
final class LineProcess implements AutoCloseable {
    private static final String EOF = "\u0000eof";

    private final String label;
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final File log;

    private LineProcess(String label, Process process, File log) {
        this.label = label;
        this.process = process;
        this.log = log;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process died; EOF below tells the caller
            }
            lines.add(EOF);
        }, "lamina-child-" + label);
        reader.setDaemon(true);
        reader.start();
    }

    static LineProcess start(String label, List<String> prefix, List<String> mainArgs, File log) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(ChildJvm.javaCommand());
        command.addAll(mainArgs);
        return command(label, command, log);
    }

    /** Any program spoken to the same way (it should end when its standard input ends). */
    static LineProcess command(String label, List<String> command, File log) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log)).start();
        return new LineProcess(label, p, log);
    }

    void send(String line) {
        in.println(line);
    }

    /**
     * The next output line that starts with {@code prefix} (others are echoed), waiting at most
     * {@code timeout}; fails naming the child and its log when it ends or times out first.
     */
    String expect(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException(label + ": no '" + prefix + "' line within " + timeout + " (log: "
                        + log + ")");
            }
            if (line.equals(EOF)) {
                throw new IllegalStateException(label + ": ended before '" + prefix + "' (exit "
                        + (process.isAlive() ? "?" : process.exitValue()) + "; log: " + log + ")");
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            System.out.println("  [" + label + "] " + line);
        }
    }

    @Override
    public void close() {
        in.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
