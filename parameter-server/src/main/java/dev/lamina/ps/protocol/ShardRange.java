package dev.lamina.ps.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * One shard's contiguous part {@code [offset, offset + count)} of the flat parameter vector. Shards
 * split the vector in order: shard i's range ends where shard i + 1's begins.
 *
 * @param offset the first parameter, >= 0
 * @param count  how many parameters, > 0
 */
public record ShardRange(int offset, int count) {

    public ShardRange {
        if (offset < 0 || count <= 0 || (long) offset + count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shard range offset : " + offset + ", count : " + count
                    + " (expected: offset >= 0, count > 0, offset + count <= " + Integer.MAX_VALUE + ")");
        }
    }

    /** One past the last parameter. */
    public int end() {
        return offset + count;
    }

    /**
     * Splits {@code parameters} into {@code shards} contiguous ranges whose sizes differ by at most one
     * (the first {@code parameters % shards} ranges take one more).
     *
     * @throws IllegalArgumentException if {@code parameters <= 0}, {@code shards <= 0}, or there are more
     *                                  shards than parameters (a shard would hold nothing)
     */
    public static List<ShardRange> split(int parameters, int shards) {
        if (parameters <= 0) {
            throw new IllegalArgumentException("parameters : " + parameters + " (expected: > 0)");
        }
        if (shards <= 0 || shards > parameters) {
            throw new IllegalArgumentException("shards : " + shards + " (expected: in [1, " + parameters
                    + "], the parameter count; every shard must hold at least one parameter)");
        }
        int base = parameters / shards;
        int extra = parameters % shards;
        List<ShardRange> ranges = new ArrayList<>(shards);
        int offset = 0;
        for (int s = 0; s < shards; s++) {
            int count = base + (s < extra ? 1 : 0);
            ranges.add(new ShardRange(offset, count));
            offset += count;
        }
        return List.copyOf(ranges);
    }

    /**
     * The ranges of shards holding {@code counts[i]} parameters each, in order from 0, checked to cover
     * exactly {@code total} parameters.
     */
    public static List<ShardRange> ofCounts(int[] counts, int total) {
        List<ShardRange> ranges = new ArrayList<>(counts.length);
        long offset = 0;
        for (int count : counts) {
            if (count <= 0 || offset + count > total) {
                throw new IllegalArgumentException("shard counts : " + java.util.Arrays.toString(counts)
                        + " (expected: each > 0, summing to " + total + ")");
            }
            ranges.add(new ShardRange((int) offset, count));
            offset += count;
        }
        if (offset != total) {
            throw new IllegalArgumentException("shard counts : " + java.util.Arrays.toString(counts) + " sum to "
                    + offset + " (expected: " + total + ")");
        }
        return List.copyOf(ranges);
    }
}
