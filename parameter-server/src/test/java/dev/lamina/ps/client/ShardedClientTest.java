package dev.lamina.ps.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.ShardRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worker's fan-out over in-memory shards: cutting pushes into ranges, merging replies, steps and records. */
class ShardedClientTest {

    /**
     * A shard in memory: decodes pushes with the codec the encoder used (as the server's decoder does)
     * and applies params -= update, answering with the new parameters.
     */
    private static final class MemoryShard implements ShardConnection {
        final float[] params;
        final List<float[]> received = new ArrayList<>();
        long step;
        long[] acknowledged = {-1, -1, 0};
        dev.lamina.ps.protocol.Message.Timing timing = new dev.lamina.ps.protocol.Message.Timing(0, 0, 0);
        boolean closed;

        MemoryShard(float[] params, long step) {
            this.params = params;
            this.step = step;
        }

        @Override
        public int parameterCount() {
            return params.length;
        }

        @Override
        public long pull(float[] dst) {
            System.arraycopy(params, 0, dst, 0, params.length);
            return step;
        }

        @Override
        public long pullRange(float[] dst, int offset) {
            System.arraycopy(params, 0, dst, offset, params.length);
            return step;
        }

        @Override
        public long pushPull(int epoch, long pushStep, long sequence, long dataOffset, PushEncoder encoder,
                             float[] update, float[] dst) throws IOException {
            assertEquals(params.length, update.length);
            assertTrue(encoder.codec().id() != 0, "uncompressed pushes go through pushPullRange, without a copy");
            ByteBuffer encoded = encoder.encode(update);
            float[] decoded = new float[params.length];
            PushCodecs.decoder(encoder.codec().id()).decode(encoded.duplicate().order(ByteOrder.LITTLE_ENDIAN), decoded);
            apply(epoch, pushStep, sequence, dataOffset, decoded);
            return pull(dst);
        }

        @Override
        public long pushPullRange(int epoch, long pushStep, long sequence, long dataOffset, float[] update,
                                  float[] dst, int offset) throws IOException {
            apply(epoch, pushStep, sequence, dataOffset, Arrays.copyOfRange(update, offset, offset + params.length));
            return pullRange(dst, offset);
        }

        private void apply(int epoch, long pushStep, long sequence, long dataOffset, float[] decoded)
                throws IOException {
            if (pushStep != step) {
                throw new ParameterServerException(dev.lamina.ps.protocol.ErrorCode.WRONG_STEP, "step " + pushStep);
            }
            received.add(decoded);
            for (int i = 0; i < params.length; i++) {
                params[i] -= decoded[i];
            }
            acknowledged = new long[] {epoch, sequence, dataOffset};
            step++;
        }

        @Override
        public long[] acknowledged() {
            return acknowledged.clone();
        }

        @Override
        public dev.lamina.ps.protocol.Message.Timing timing() {
            return timing;
        }

        @Override
        public long bytesSent() {
            return 10L * params.length;
        }

        @Override
        public long bytesReceived() {
            return 1;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static float[] ramp(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = scale * (i + 1);
        }
        return a;
    }

    private static List<MemoryShard> shards(int... counts) {
        List<MemoryShard> shards = new ArrayList<>();
        int offset = 0;
        for (int c : counts) {
            float[] p = new float[c];
            for (int i = 0; i < c; i++) {
                p[i] = offset + i;
            }
            shards.add(new MemoryShard(p, 0));
            offset += c;
        }
        return shards;
    }

    private static ShardedClient client(List<MemoryShard> shards, String codec) {
        return ShardedClient.over(shards, n -> new PushEncoder(PushCodecs.create(codec, 0.5, 0.01), n), "test-fanout");
    }

    @Test
    void rangesFollowTheShardsCountsInOrder() throws IOException {
        try (ShardedClient client = client(shards(4, 3, 3), "none")) {
            assertEquals(10, client.parameterCount());
            assertEquals(ShardRange.split(10, 3), client.ranges());
        }
    }

    @Test
    void pullGathersEveryShardsRange() throws IOException {
        List<MemoryShard> shards = shards(3, 1, 5);
        try (ShardedClient client = client(shards, "none")) {
            float[] dst = new float[9];
            assertEquals(0, client.pull(dst));
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, dst);
        }
    }

    @Test
    void pushIsCutIntoRangesAndRepliesAreMerged() throws IOException {
        List<MemoryShard> shards = shards(4, 3, 3);
        float[] update = ramp(10, 0.5f);
        float[] dst = new float[10];
        try (ShardedClient client = client(shards, "none")) {
            assertEquals(1, client.pushPull(0, 0, 0, 64, update, dst));
            assertEquals(2, client.pushPull(0, 1, 1, 128, update, dst));
        }
        assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2}, shards.get(0).received.get(0));
        assertArrayEquals(new float[] {2.5f, 3, 3.5f}, shards.get(1).received.get(0));
        assertArrayEquals(new float[] {4, 4.5f, 5}, shards.get(2).received.get(1));
        for (int i = 0; i < 10; i++) {
            assertEquals(i - 2 * update[i], dst[i]);
        }
        assertTrue(shards.stream().allMatch(s -> s.closed));
    }

    @Test
    void everyRangeKeepsItsOwnErrorFeedback() throws IOException {
        // topk 0.5 per range: each shard gets its own largest half, the rest stays in that range's residual
        List<MemoryShard> shards = shards(4, 4);
        float[] update = {1, -8, 2, 3, 9, 0.5f, -0.25f, 4};
        try (ShardedClient client = client(shards, "topk")) {
            client.pushPull(0, 0, 0, 1, update, new float[8]);
            assertArrayEquals(new float[] {0, -8, 0, 3}, shards.get(0).received.get(0));
            assertArrayEquals(new float[] {9, 0, 0, 4}, shards.get(1).received.get(0));
            client.pushPull(0, 1, 1, 2, new float[8], new float[8]);
            assertArrayEquals(new float[] {1, 0, 2, 0}, shards.get(0).received.get(1));
            assertArrayEquals(new float[] {0, 0.5f, -0.25f, 0}, shards.get(1).received.get(1));
        }
    }

    @Test
    void stepsAndRecordsMergeToTheLeastAdvancedShard() throws IOException {
        List<MemoryShard> shards = shards(2, 2);
        shards.get(1).step = 5;
        shards.get(0).acknowledged = new long[] {3, 9, 90};
        shards.get(1).acknowledged = new long[] {3, 7, 70};
        try (ShardedClient client = client(shards, "none")) {
            assertEquals(0, client.pull(new float[4]));
            assertArrayEquals(new long[] {3, 7, 70}, client.acknowledged());
            assertEquals(40, client.bytesSent());
            assertEquals(2, client.bytesReceived());
        }
    }

    @Test
    void timingTakesTheLongestWaitAndApplyAndTheFewestSteps() throws IOException {
        List<MemoryShard> shards = shards(2, 2);
        shards.get(0).timing = new dev.lamina.ps.protocol.Message.Timing(700, 40, 12);
        shards.get(1).timing = new dev.lamina.ps.protocol.Message.Timing(500, 90, 11);
        try (ShardedClient client = client(shards, "none")) {
            assertEquals(new dev.lamina.ps.protocol.Message.Timing(700, 90, 11), client.timing());
        }
    }

    @Test
    void aRetryResumesAtTheLeastAdvancedShardAndDoesNotRepushWhereApplied() throws IOException {
        // the failed task's push of sequence 3 reached shard 0 (applied: step 4) but not shard 1 (step 3)
        List<MemoryShard> shards = shards(2, 2);
        shards.get(0).step = 4;
        shards.get(0).acknowledged = new long[] {0, 3, 256};
        shards.get(1).step = 3;
        shards.get(1).acknowledged = new long[] {0, 2, 192};
        float[] dst = new float[4];
        try (ShardedClient client = client(shards, "none")) {
            assertArrayEquals(new long[] {0, 2, 192}, client.acknowledged());
            long step = client.pull(dst);
            assertEquals(3, step);
            assertEquals(4, client.pushPull(0, step, 3, 256, ramp(4, 1), dst));
            assertEquals(0, shards.get(0).received.size());
            assertArrayEquals(new float[] {3, 4}, shards.get(1).received.get(0));
            assertEquals(5, client.pushPull(0, 4, 4, 320, ramp(4, 1), dst));
            assertArrayEquals(new float[] {1, 2}, shards.get(0).received.get(0));
            assertArrayEquals(new float[] {-1, -1, -4, -5}, dst);
        }
    }

    @Test
    void aShardsRefusalFailsTheStep() throws IOException {
        List<MemoryShard> shards = shards(2, 2, 2);
        shards.get(2).step = 4;
        try (ShardedClient client = client(shards, "none")) {
            ParameterServerException e = assertThrows(ParameterServerException.class,
                    () -> client.pushPull(0, 0, 0, 0, new float[6], new float[6]));
            assertEquals(dev.lamina.ps.protocol.ErrorCode.WRONG_STEP, e.code());
        }
        assertEquals(1, shards.get(0).step);
    }

    @Test
    void wrongArrayLengthsNameBothLengths() throws IOException {
        try (ShardedClient client = client(shards(2, 3), "none")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> client.pushPull(0, 0, 0, 0, new float[4], new float[5]));
            assertEquals("update length : 4 (expected: 5, the parameters of all 2 shards)", e.getMessage());
        }
    }

    @Test
    void oneShardGetsTheWholeArraysWithTheirEncoder() throws IOException {
        List<MemoryShard> shards = shards(6);
        float[] update = ramp(6, 1);
        float[] dst = new float[6];
        try (ShardedClient client = client(shards, "fp16")) {
            client.pushPull(0, 0, 0, 0, update, dst);
        }
        assertArrayEquals(update, shards.get(0).received.get(0));
        assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1}, dst);
    }
}
