package dev.lamina.driver;

import java.io.PrintStream;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Watches the parameter server's step count during an epoch: feeds it to a listener (the metrics
 * source) and, when the driver runs attached to a terminal, redraws a one-line progress bar on
 * standard error, e.g. {@code epoch 3/10 [##########----------] 50% step 32/64}. The line is erased
 * before the epoch's report is printed. Not attached to a terminal (spark-submit with logs to a
 * file), only the per-epoch report lines appear.
 */
final class EpochProgress implements AutoCloseable {
    private static final int WIDTH = 30;
    private static final long PERIOD_MILLIS = 250;

    private final Thread thread;
    private final PrintStream out;
    private volatile boolean running = true;

    private EpochProgress(Thread thread, PrintStream out) {
        this.thread = thread;
        this.out = out;
    }

    /**
     * Starts watching epoch {@code epoch} (1-based) of {@code epochs}, whose steps run from
     * {@code firstStep} to {@code firstStep + stepsPerEpoch}; {@code terminal} null draws no bar.
     */
    static EpochProgress start(int epoch, int epochs, long firstStep, long stepsPerEpoch, LongSupplier serverStep,
                               LongConsumer listener, PrintStream terminal) {
        EpochProgress[] self = new EpochProgress[1];
        Thread t = new Thread(() -> self[0].loop(epoch, epochs, firstStep, stepsPerEpoch, serverStep, listener),
                "lamina-progress");
        t.setDaemon(true);
        self[0] = new EpochProgress(t, terminal);
        t.start();
        return self[0];
    }

    /** The bar for {@code done} of {@code total} steps. */
    static String bar(int epoch, int epochs, long done, long total) {
        long clamped = Math.max(0, Math.min(done, total));
        int filled = total == 0 ? WIDTH : (int) (WIDTH * clamped / total);
        return "epoch " + epoch + "/" + epochs + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
                + (total == 0 ? 100 : 100 * clamped / total) + "% step " + clamped + "/" + total;
    }

    private void loop(int epoch, int epochs, long firstStep, long stepsPerEpoch, LongSupplier serverStep,
                      LongConsumer listener) {
        String shown = "";
        while (running) {
            long step = serverStep.getAsLong();
            listener.accept(step);
            if (out != null && step >= 0) {
                String line = bar(epoch, epochs, step - firstStep, stepsPerEpoch);
                if (!line.equals(shown)) {
                    out.print("\r" + line);
                    out.flush();
                    shown = line;
                }
            }
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (out != null) {
            out.print("\r" + " ".repeat(WIDTH + 40) + "\r");
            out.flush();
        }
    }
}
