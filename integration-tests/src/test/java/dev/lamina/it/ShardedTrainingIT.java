package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.TrainedModel;
import dev.lamina.jobs.TrainJob;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointStore;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.server.ParameterServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped MNIST job on Spark local[2] against two standalone parameter-server shards (in this JVM,
 * on loopback): the driver initialises them, the workers push to both, and the trained weights and the
 * epoch-end checkpoint are bit for bit those of the embedded server.
 */
class ShardedTrainingIT {
    private static final String CONFIG = Path.of("..", "conf", "mnist-mlp.yaml").toString();

    private static TrainedModel train(Path out, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--config", CONFIG, "--output", out.toString(),
                "--master", "local[2]", "--set", "data.trainLimit=2048", "--set", "data.testLimit=1000",
                "--set", "training.epochs=2", "--set", "training.workers=2", "--set", "training.batchSize=64",
                "--set", "training.optimizer.type=adam", "--set", "training.optimizer.learningRate=0.001",
                "--set", "training.checkpointDir=" + out.resolve("checkpoints").toUri()));
        args.addAll(List.of(extra));
        return TrainJob.run(args.toArray(new String[0]));
    }

    private static Checkpoint latest(Path out) throws Exception {
        return CheckpointStore.open(out.resolve("checkpoints").toUri().toString(), new Configuration()).latest()
                .orElseThrow(() -> new AssertionError("no checkpoint in " + out));
    }

    @Test
    void twoShardsTrainBitwiseLikeTheEmbeddedServer(@TempDir Path tmp) throws Exception {
        byte[] secret = Secrets.newSecret();
        Path secretFile = tmp.resolve("job.secret");
        Files.writeString(secretFile, Secrets.toHex(secret));
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        TrainedModel sharded;
        try (ParameterServer a = ParameterServer.startShard("127.0.0.1", 0, 64 << 20, secret);
             ParameterServer b = ParameterServer.startShard("127.0.0.1", 0, 64 << 20, secret)) {
            sharded = train(tmp.resolve("sharded"), "--set", "training.servers=[127.0.0.1:" + a.address().getPort()
                    + ", 127.0.0.1:" + b.address().getPort() + "]", "--set", "training.secretFile=" + secretFile);
            assertEquals(a.step(), b.step());
            assertTrue(a.step() > 0);
        }
        TrainedModel embedded = train(tmp.resolve("embedded"));
        assertArrayEquals(embedded.parameters(), sharded.parameters(), "2 shards must train exactly like 1");
        assertTrue(sharded.history().get(1).trainLoss() < sharded.history().get(0).trainLoss(), sharded.history().toString());
        assertTrue(sharded.history().get(1).testAccuracy() > 0.8, "test accuracy " + sharded.history().get(1));

        Checkpoint s = latest(tmp.resolve("sharded"));
        Checkpoint e = latest(tmp.resolve("embedded"));
        assertEquals(e.step(), s.step());
        assertEquals(2, s.job().completedEpochs());
        assertArrayEquals(e.parameters(), s.parameters());
        assertEquals(e.optimizerSteps(), s.optimizerSteps());
        assertEquals(e.optimizerState().length, s.optimizerState().length);
        for (int i = 0; i < e.optimizerState().length; i++) {
            assertArrayEquals(e.optimizerState()[i], s.optimizerState()[i]);
        }
        assertEquals(e.workers(), s.workers());
    }
}
