package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.driver.TrainedModel;
import dev.lamina.jobs.TrainJob;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointStore;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver killed mid-training (SIGKILL of its JVM, in the middle of an epoch) and resumed with
 * {@code --resume} ends with exactly the weights of an uninterrupted run: sync mode is deterministic,
 * and the checkpoint carries parameters, optimizer state, the server step and each worker's last
 * acknowledged push, so the resumed run continues at the first step no worker had finished.
 */
class DriverResumeIT {
    private static final String CONFIG = Path.of("..", "conf", "mnist-mlp.yaml").toString();
    private static final int EPOCHS = 5;
    /**
     * Training samples: 256 steps of the global batch 64 per epoch, so a checkpoint in an epoch's first half
     * leaves the kill some 100 steps before the epoch ends (with 4,096 a CI run on 2026-12-03 finished the
     * epoch, and checkpointed its end, within the 200 ms the test then waited before the kill).
     */
    private static final int TRAIN_SAMPLES = 16384;
    private static final int STEPS_PER_EPOCH = TRAIN_SAMPLES / 64;

    private static List<String> args(Path out, Path checkpoints) {
        return new ArrayList<>(List.of("train", "--config", CONFIG, "--output", out.toString(), "--master", "local[2]",
                "--set", "data.trainLimit=" + TRAIN_SAMPLES, "--set", "data.testLimit=1000", "--set", "training.epochs=" + EPOCHS,
                "--set", "training.workers=2", "--set", "training.batchSize=64",
                "--set", "training.checkpointDir=" + checkpoints.toUri(), "--set", "training.checkpointEvery=20"));
    }

    private static TrainedModel trainHere(List<String> args) throws Exception {
        return TrainJob.run(args.subList(1, args.size()).toArray(new String[0]));
    }

    @Test
    void aKilledDriverResumesToTheWeightsOfAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        TrainedModel uninterrupted = trainHere(args(tmp.resolve("full"), tmp.resolve("full-ckpt")));

        Path checkpoints = tmp.resolve("ckpt");
        Path log = tmp.resolve("killed.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
                command.add(a);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.lamina.jobs.Main"));
        command.addAll(args(tmp.resolve("killed"), checkpoints));
        Process driver = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            CheckpointStore store = CheckpointStore.open(checkpoints.toUri().toString(), new Configuration());
            Checkpoint seen = awaitCheckpoint(store, driver, log, 2);
            assertTrue(driver.isAlive(), "the driver finished before it could be stopped; log:\n" + tail(log));
            driver.destroyForcibly();
            assertTrue(driver.waitFor(30, TimeUnit.SECONDS), "the killed driver did not exit");
            System.out.println("DriverResumeIT: killed the driver after the checkpoint of step " + seen.step()
                    + " (" + seen.job().completedEpochs() + " epochs complete)");
        } finally {
            driver.destroyForcibly();
        }
        assertTrue(Files.notExists(tmp.resolve("killed").resolve("weights.safetensors")), "no model from the killed run");

        List<String> resume = args(tmp.resolve("resumed"), checkpoints);
        resume.add("--resume");
        TrainedModel resumed = trainHere(resume);
        int from = ((Number) resumed.metrics().get("resumed_from_epoch")).intValue();
        long step = ((Number) resumed.metrics().get("resumed_from_step")).longValue();
        assertTrue(step % STEPS_PER_EPOCH != 0, "resumed at step " + step + ", not inside an epoch");
        System.out.printf("DriverResumeIT: resumed from step %d (epoch %d); test accuracy %.4f resumed vs %.4f"
                + " uninterrupted%n", step, from, resumed.metrics().get("test_accuracy"),
                uninterrupted.metrics().get("test_accuracy"));
        assertTrue(from >= 2 && from < EPOCHS, "resumed_from_epoch " + from);
        assertEquals(EPOCHS, resumed.history().size(), "the history covers every epoch");
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(e + 1, resumed.history().get(e).epoch());
            assertEquals(uninterrupted.history().get(e).testAccuracy(), resumed.history().get(e).testAccuracy(), 1e-12,
                    "epoch " + (e + 1) + " test accuracy");
        }
        double a = ((Number) uninterrupted.metrics().get("test_accuracy")).doubleValue();
        double b = ((Number) resumed.metrics().get("test_accuracy")).doubleValue();
        assertEquals(a, b, 0.003, "test accuracy within 0.3 points");
        assertArrayEquals(uninterrupted.parameters(), resumed.parameters(), "same weights as the uninterrupted run");
        assertTrue(Files.size(tmp.resolve("resumed").resolve("weights.safetensors")) > 0);
    }

    @Test
    void resumeRefusesAnotherConfigurationAndAnEmptyDirectory(@TempDir Path tmp) throws Exception {
        List<String> none = args(tmp.resolve("out"), tmp.resolve("empty"));
        none.add("--resume");
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> trainHere(none));
        assertTrue(empty.getMessage().contains("no valid checkpoint"), empty.getMessage());

        Path checkpoints = tmp.resolve("ckpt");
        List<String> first = args(tmp.resolve("first"), checkpoints);
        first.addAll(List.of("--set", "training.epochs=1"));
        trainHere(first);
        List<String> other = args(tmp.resolve("second"), checkpoints);
        other.addAll(List.of("--set", "training.epochs=1", "--set", "training.optimizer.learningRate=0.01", "--resume"));
        IllegalArgumentException changed = assertThrows(IllegalArgumentException.class, () -> trainHere(other));
        assertTrue(changed.getMessage().contains("another trainingConfig"), changed.getMessage());
        assertTrue(Files.notExists(tmp.resolve("second")), "nothing written for a refused resume");
    }

    /**
     * Waits (up to 5 minutes) for a checkpoint taken in the first half of an epoch after at least
     * {@code epochs} complete ones.
     */
    private static Checkpoint awaitCheckpoint(CheckpointStore store, Process driver, Path log, int epochs)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!driver.isAlive()) {
                fail("the driver exited with " + driver.exitValue() + " before the checkpoint of epoch " + epochs
                        + "; log:\n" + tail(log));
            }
            Optional<Checkpoint> latest = store.latest();
            // A periodic checkpoint in the first half of an epoch: the workers have pushed in the incomplete
            // epoch, and the kill that follows lands before its end.
            if (latest.isPresent() && latest.get().job().completedEpochs() >= epochs
                    && latest.get().workers().get(0).epoch() == latest.get().job().completedEpochs()
                    && latest.get().step() - (long) latest.get().job().completedEpochs() * STEPS_PER_EPOCH
                    < STEPS_PER_EPOCH / 2) {
                return latest.get();
            }
            Thread.sleep(50);
        }
        fail("no checkpoint of epoch " + epochs + " within 5 minutes; log:\n" + tail(log));
        return null;
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join(File.separator.equals("/") ? "\n" : "\r\n", lines.subList(Math.max(0, lines.size() - 40),
                lines.size()));
    }
}
