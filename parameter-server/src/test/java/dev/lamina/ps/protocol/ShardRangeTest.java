package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShardRangeTest {

    @Test
    void oneParameterOneShard() {
        assertEquals(List.of(new ShardRange(0, 1)), ShardRange.split(1, 1));
    }

    @Test
    void remainderGoesToTheFirstShards() {
        assertEquals(List.of(new ShardRange(0, 4), new ShardRange(4, 3), new ShardRange(7, 3)),
                ShardRange.split(10, 3));
        assertEquals(List.of(new ShardRange(0, 2), new ShardRange(2, 1)), ShardRange.split(3, 2));
    }

    @Test
    void asManyShardsAsParametersGivesOneEach() {
        List<ShardRange> ranges = ShardRange.split(7, 7);
        for (int s = 0; s < 7; s++) {
            assertEquals(new ShardRange(s, 1), ranges.get(s));
        }
    }

    @Test
    void rangesAreContiguousAndCoverEverything() {
        for (int n : new int[] {1, 2, 5, 97, 1000, 25_000_001}) {
            for (int shards = 1; shards <= Math.min(n, 9); shards++) {
                List<ShardRange> ranges = ShardRange.split(n, shards);
                int next = 0;
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (ShardRange r : ranges) {
                    assertEquals(next, r.offset());
                    next = r.end();
                    min = Math.min(min, r.count());
                    max = Math.max(max, r.count());
                }
                assertEquals(n, next);
                assertEquals(shards, ranges.size());
                assertEquals(true, max - min <= 1, "sizes differ by more than one: " + ranges);
            }
        }
    }

    @Test
    void moreShardsThanParametersIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardRange.split(3, 4));
        assertEquals("shards : 4 (expected: in [1, 3], the parameter count; every shard must hold at least one"
                + " parameter)", e.getMessage());
    }

    @Test
    void noShardsOrNoParametersAreRefused() {
        assertEquals("shards : 0 (expected: in [1, 5], the parameter count; every shard must hold at least one"
                + " parameter)", assertThrows(IllegalArgumentException.class, () -> ShardRange.split(5, 0)).getMessage());
        assertEquals("parameters : 0 (expected: > 0)",
                assertThrows(IllegalArgumentException.class, () -> ShardRange.split(0, 1)).getMessage());
    }

    @Test
    void rangesFromCountsMustSumToTheTotal() {
        assertEquals(List.of(new ShardRange(0, 2), new ShardRange(2, 5)), ShardRange.ofCounts(new int[] {2, 5}, 7));
        assertEquals("shard counts : [2, 5] sum to 7 (expected: 8)",
                assertThrows(IllegalArgumentException.class, () -> ShardRange.ofCounts(new int[] {2, 5}, 8)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShardRange.ofCounts(new int[] {2, 0}, 2));
    }
}
