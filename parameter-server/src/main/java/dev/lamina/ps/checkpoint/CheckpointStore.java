package dev.lamina.ps.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints in one directory of any Hadoop file system ({@code file://}, {@code hdfs://}, ...), as
 * {@code checkpoint-<step>.bin}. Each is written atomically (temporary file, then rename); after a
 * write only the newest {@code keep} are kept. {@link #latest()} returns the newest one that decodes,
 * skipping (with a warning) newer files that are truncated or corrupt. Thread-safe.
 */
public final class CheckpointStore implements CheckpointSink {
    private static final System.Logger LOG = System.getLogger(CheckpointStore.class.getName());
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{1,19})\\.bin");
    /** Checkpoints kept by default. */
    public static final int DEFAULT_KEEP = 2;

    private final Path dir;
    private final FileSystem fs;
    private final int keep;

    /** One stored checkpoint file. */
    public record Entry(long step, String path, long bytes) {
    }

    private CheckpointStore(Path dir, FileSystem fs, int keep) {
        this.dir = dir;
        this.fs = fs;
        this.keep = keep;
    }

    /**
     * A store in {@code dirUrl} (created if missing) keeping the newest {@code keep} checkpoints.
     *
     * @throws IllegalArgumentException if {@code dirUrl} is blank or {@code keep < 1}
     * @throws IOException              if the file system cannot be reached or the directory created
     */
    public static CheckpointStore open(String dirUrl, Configuration conf, int keep) throws IOException {
        Objects.requireNonNull(conf, "conf");
        if (dirUrl == null || dirUrl.isBlank()) {
            throw new IllegalArgumentException("checkpoint directory : \"" + dirUrl + "\" (expected: a file system URL)");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("keep : " + keep + " (expected: >= 1)");
        }
        Path dir = new Path(dirUrl);
        FileSystem fs = dir.getFileSystem(conf);
        Path qualified = fs.makeQualified(dir);
        if (!fs.mkdirs(qualified)) {
            throw new IOException("cannot create checkpoint directory " + qualified);
        }
        return new CheckpointStore(qualified, fs, keep);
    }

    /** {@link #open(String, Configuration, int)} keeping {@link #DEFAULT_KEEP}. */
    public static CheckpointStore open(String dirUrl, Configuration conf) throws IOException {
        return open(dirUrl, conf, DEFAULT_KEEP);
    }

    /** The directory, fully qualified. */
    public String directory() {
        return dir.toString();
    }

    /** Writes {@code checkpoint} as {@code checkpoint-<step>.bin} (replacing one of the same step), then prunes. */
    @Override
    public synchronized void write(Checkpoint checkpoint) throws IOException {
        byte[] bytes = CheckpointCodec.encode(checkpoint);
        Path target = new Path(dir, "checkpoint-" + checkpoint.step() + ".bin");
        HadoopFiles.atomicWrite(fs, target, bytes);
        List<Entry> entries = list();
        for (int i = keep; i < entries.size(); i++) {
            fs.delete(new Path(entries.get(i).path()), false);
        }
    }

    /** The checkpoint files present, newest (highest step) first. */
    public synchronized List<Entry> list() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            Matcher m = NAME.matcher(s.getPath().getName());
            if (s.isFile() && m.matches()) {
                entries.add(new Entry(Long.parseLong(m.group(1)), s.getPath().toString(), s.getLen()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::step).reversed());
        return entries;
    }

    /** The newest checkpoint that reads back intact; empty when there is none. */
    public Optional<Checkpoint> latest() throws IOException {
        for (Entry e : list()) {
            try {
                return Optional.of(read(e.path()));
            } catch (IOException ex) {
                LOG.log(Level.WARNING, "skipping unreadable checkpoint, falling back to an older one: {0}", ex.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Reads and decodes one checkpoint file. */
    public Checkpoint read(String path) throws IOException {
        Path p = new Path(path);
        long length = fs.getFileStatus(p).getLen();
        if (length > CheckpointCodec.MAX_BYTES) {
            throw new IOException("checkpoint " + path + ": size : " + length + " bytes (expected: <= "
                    + CheckpointCodec.MAX_BYTES + ")");
        }
        byte[] bytes = new byte[(int) length];
        try (InputStream in = fs.open(p)) {
            int read = in.readNBytes(bytes, 0, bytes.length);
            if (read != bytes.length) {
                throw new IOException("checkpoint " + path + ": read " + read + " bytes (expected: " + length + ")");
            }
        }
        return CheckpointCodec.decode(path, bytes);
    }
}
