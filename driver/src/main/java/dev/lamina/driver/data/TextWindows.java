package dev.lamina.driver.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Character-level tokenization and packing of text into training windows, on the executors: each
 * partition of lines is read as one stream (every line followed by '\n'; a character below the
 * vocabulary is its own token id, any other becomes '?') and cut into windows of {@code length + 1}
 * ids, one every {@code length} characters, so every character but a partition's first is a target
 * exactly once. A partition's tail shorter than a window is dropped. Nothing is collected on the
 * driver, so a corpus of any size in any Hadoop file system packs in parallel.
 */
public final class TextWindows {
    /** The packed column: binary, one unsigned byte per token id. */
    public static final String COLUMN = "features";

    private TextWindows() {
    }

    /**
     * Packs the string column {@code textCol} of {@code lines} into windows of {@code length + 1} ids
     * below {@code vocab} (at most 256: ids are stored as bytes).
     */
    public static Dataset<Row> pack(SparkSession spark, Dataset<Row> lines, String textCol, int length, int vocab) {
        if (length < 1) {
            throw new IllegalArgumentException("sequence length : " + length + " (expected: >= 1)");
        }
        if (vocab < 2 || vocab > 256) {
            throw new IllegalArgumentException("vocabulary : " + vocab + " (expected: 2 to 256 character ids)");
        }
        JavaRDD<Row> windows = lines.select(textCol).javaRDD()
                .mapPartitions(rows -> new Windows(new Lines(rows), length, vocab));
        return spark.createDataFrame(windows, new StructType().add(COLUMN, DataTypes.BinaryType, false));
    }

    /** The token id of character {@code c}: itself below the vocabulary, else '?'. */
    static byte id(char c, int vocab) {
        return (byte) (c < vocab ? c : '?');
    }

    /** The lines of a partition as strings (a null line counts as empty). */
    private record Lines(Iterator<Row> rows) implements Iterator<String> {
        @Override
        public boolean hasNext() {
            return rows.hasNext();
        }

        @Override
        public String next() {
            Row r = rows.next();
            return r.isNullAt(0) ? "" : r.getString(0);
        }
    }

    /** Windows over a stream of lines, produced lazily so a partition is never held whole. */
    static final class Windows implements Iterator<Row> {
        private final Iterator<String> lines;
        private final int length;
        private final int vocab;
        private byte[] buffer = new byte[0];
        private int start;
        private int end;

        Windows(Iterator<String> lines, int length, int vocab) {
            this.lines = lines;
            this.length = length;
            this.vocab = vocab;
        }

        @Override
        public boolean hasNext() {
            while (end - start < length + 1 && lines.hasNext()) {
                append(lines.next());
            }
            return end - start >= length + 1;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            byte[] window = new byte[length + 1];
            System.arraycopy(buffer, start, window, 0, length + 1);
            start += length;
            return RowFactory.create((Object) window);
        }

        private void append(String line) {
            int need = end - start + line.length() + 1;
            if (need > buffer.length - start) {
                byte[] grown = new byte[Math.max(need, 2 * (length + 1)) * 2];
                System.arraycopy(buffer, start, grown, 0, end - start);
                end -= start;
                start = 0;
                buffer = grown;
            }
            for (int i = 0; i < line.length(); i++) {
                buffer[end++] = id(line.charAt(i), vocab);
            }
            buffer[end++] = '\n';
        }
    }

    /** The windows of {@code text} as {@link #pack} cuts them from one partition (for tests and tools). */
    static List<byte[]> windows(List<String> lines, int length, int vocab) {
        List<byte[]> out = new ArrayList<>();
        Windows w = new Windows(lines.iterator(), length, vocab);
        while (w.hasNext()) {
            out.add((byte[]) w.next().get(0));
        }
        return out;
    }
}
