package dev.lamina.ps.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path tmp;

    private CheckpointStore store(int keep) throws IOException {
        return CheckpointStore.open(tmp.resolve("ckpt").toUri().toString(), new Configuration(), keep);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("ckpt"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    @Test
    void keepsTheNewestAndReadsTheLatestBack() throws IOException {
        CheckpointStore store = store(2);
        assertTrue(store.latest().isEmpty());
        for (long step : new long[] {5, 10, 100}) {
            store.write(Checkpoints.random(step, 50, 1, step));
        }
        assertEquals(List.of("checkpoint-10.bin", "checkpoint-100.bin"), files());
        assertEquals(List.of(100L, 10L), store.list().stream().map(CheckpointStore.Entry::step).toList());
        Checkpoint latest = store.latest().orElseThrow();
        assertTrue(Checkpoints.random(100, 50, 1, 100).sameContents(latest));
    }

    @Test
    void truncatedNewestFallsBackToThePreviousOne() throws IOException {
        CheckpointStore store = store(3);
        store.write(Checkpoints.random(1, 50, 2, 1));
        store.write(Checkpoints.random(2, 50, 2, 2));
        Path newest = tmp.resolve("ckpt/checkpoint-2.bin");
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.deleteIfExists(tmp.resolve("ckpt/.checkpoint-2.bin.crc"));
        assertEquals(1, store.latest().orElseThrow().step());
        IOException e = assertThrows(IOException.class, () -> store.read(store.list().get(0).path()));
        assertTrue(e.getMessage().contains("checkpoint-2.bin"), e.getMessage());
    }

    @Test
    void sameStepIsReplacedAndNoTemporaryFilesRemain() throws IOException {
        CheckpointStore store = store(2);
        store.write(Checkpoints.random(7, 20, 0, 1));
        store.write(Checkpoints.random(7, 20, 0, 2));
        assertEquals(List.of("checkpoint-7.bin"), files());
        assertTrue(Checkpoints.random(7, 20, 0, 2).sameContents(store.latest().orElseThrow()));
        assertFalse(files().stream().anyMatch(n -> n.endsWith(".tmp")));
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> CheckpointStore.open(" ", new Configuration()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store(0));
        assertEquals("keep : 0 (expected: >= 1)", e.getMessage());
    }
}
