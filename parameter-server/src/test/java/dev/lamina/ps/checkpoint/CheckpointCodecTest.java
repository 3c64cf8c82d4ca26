package dev.lamina.ps.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {

    @Test
    void roundTripIsBitExact() throws IOException {
        Checkpoint c = Checkpoints.random(12, 1001, 2, 1);
        byte[] bytes = CheckpointCodec.encode(c);
        Checkpoint back = CheckpointCodec.decode("mem", bytes);
        assertTrue(c.sameContents(back));
        for (int i = 0; i < c.parameters().length; i++) {
            assertEquals(Float.floatToRawIntBits(c.parameters()[i]), Float.floatToRawIntBits(back.parameters()[i]));
        }
        assertEquals(c.job().provenance(), back.job().provenance());
        assertArrayEquals(bytes, CheckpointCodec.encode(back), "re-encoding gives the same bytes");
    }

    @Test
    void headerIsLittleEndianMagicAndVersion() {
        byte[] bytes = CheckpointCodec.encode(Checkpoints.random(1, 4, 0, 2));
        assertEquals("LMCK", new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, bytes[4]);
        assertEquals(0, bytes[5]);
    }

    @Test
    void everyTruncationFailsNamingTheSource() {
        byte[] bytes = CheckpointCodec.encode(Checkpoints.random(3, 8, 1, 3));
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            IOException e = assertThrows(IOException.class, () -> CheckpointCodec.decode("hdfs://x/c.bin", cut));
            assertTrue(e.getMessage().startsWith("checkpoint hdfs://x/c.bin: "), e.getMessage());
        }
    }

    @Test
    void flippedBitFailsTheChecksum() {
        byte[] bytes = CheckpointCodec.encode(Checkpoints.random(3, 64, 1, 4));
        bytes[100] ^= 0x10;
        IOException e = assertThrows(IOException.class, () -> CheckpointCodec.decode("f", bytes));
        assertTrue(e.getMessage().contains("crc32c"), e.getMessage());
    }

    @Test
    void wrongMagicAndVersionAreNamed() {
        byte[] bytes = CheckpointCodec.encode(Checkpoints.random(3, 8, 1, 5));
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertTrue(assertThrows(IOException.class, () -> CheckpointCodec.decode("f", magic)).getMessage()
                .contains("magic"));
        byte[] version = bytes.clone();
        version[4] = 9;
        assertTrue(assertThrows(IOException.class, () -> CheckpointCodec.decode("f", version)).getMessage()
                .contains("version : 9 (expected: 1)"));
    }

    @Test
    void hugeCountsAreRefusedBeforeAllocating() {
        byte[] bytes = CheckpointCodec.encode(Checkpoints.random(3, 8, 1, 6));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(16, 0x7fff_fff0);   // the parameter count, after magic, version and step
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        b.putInt(bytes.length - 4, (int) crc.getValue());
        IOException e = assertThrows(IOException.class, () -> CheckpointCodec.decode("f", bytes));
        assertTrue(e.getMessage().contains("parameter count : 2147483632 (expected: in [1, "), e.getMessage());
    }

    @Test
    void checkpointValidatesStateShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Checkpoint(1,
                new float[4], "sgd", 1, new float[][] {new float[3]}, java.util.List.of(new Checkpoint.WorkerRecord(0, 0, 0)),
                JobState.NONE));
        assertTrue(e.getMessage().contains("optimizerState[0] length : 3 (expected: 4"), e.getMessage());
    }
}
