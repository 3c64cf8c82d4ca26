package dev.lamina.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchJobTest {

    @Test
    void theParameterServerBenchTakesABusyTimeBetweenRoundTrips() {
        BenchJob.BenchConfig plain = BenchJob.BenchConfig.parse(new String[] {"--suite", "ps"});
        assertEquals(0, plain.busyMicros());
        assertEquals(2, plain.workers());
        BenchJob.BenchConfig busy = BenchJob.BenchConfig.parse(
                new String[] {"--suite", "ps", "--params", "1000", "--workers", "2", "--busy-us", "2600"});
        assertEquals(2600, busy.busyMicros());
        String message = assertThrows(IllegalArgumentException.class,
                () -> BenchJob.BenchConfig.parse(new String[] {"--suite", "ps", "--busy-us", "-1"})).getMessage();
        assertTrue(message.contains("--busy-us") && message.contains("-1"), message);
    }

    @Test
    void theParameterServerBenchExchangesThroughMemoryWithOneShardOnly() {
        assertEquals("tcp", BenchJob.BenchConfig.parse(new String[] {"--suite", "ps"}).exchange());
        assertEquals("memory", BenchJob.BenchConfig.parse(new String[] {"--exchange", "memory"}).exchange());
        String bad = assertThrows(IllegalArgumentException.class,
                () -> BenchJob.BenchConfig.parse(new String[] {"--exchange", "shm"})).getMessage();
        assertEquals("--exchange shm (expected one of: tcp, memory)", bad);
        String sharded = assertThrows(IllegalArgumentException.class, () -> BenchJob.BenchConfig.parse(
                new String[] {"--exchange", "memory", "--shards", "2"})).getMessage();
        assertTrue(sharded.contains("--shards 2") && sharded.contains("one shard"), sharded);
    }
}
