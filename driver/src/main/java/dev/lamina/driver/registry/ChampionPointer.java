package dev.lamina.driver.registry;

import dev.lamina.engine.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The champion pointer: a directory of numbered, create-once entries ({@code 00000001.json}, ...),
 * the newest of which names the champion. Moving the pointer publishes the next entry in one atomic
 * step ({@link ExclusiveFiles}): a reader sees the old champion or the new one, never a partial file
 * or none, and of two writers racing for the same entry one fails. The entries are also the champion's
 * history, which rollback walks back.
 */
public final class ChampionPointer {
    private static final String PATTERN = "\\d{8}\\.json";

    private final FileSystem fs;
    private final Path dir;

    ChampionPointer(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /**
     * One move of the pointer.
     *
     * @param seq        the entry's number, from 1
     * @param version    the champion from this entry on
     * @param action     promote, promote-forced or rollback
     * @param rollbackTo the version a rollback from here returns to; 0 when there is none
     * @param runId      the run or command that moved it
     * @param reason     why
     * @param time       when (ISO-8601)
     */
    public record Entry(int seq, int version, String action, int rollbackTo, String runId, String reason, String time) {

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", seq);
            m.put("version", version);
            m.put("action", action);
            m.put("rollbackTo", rollbackTo);
            m.put("runId", runId);
            m.put("reason", reason);
            m.put("time", time);
            return m;
        }

        static Entry fromMap(Map<?, ?> m) {
            return new Entry(((Number) m.get("seq")).intValue(), ((Number) m.get("version")).intValue(),
                    String.valueOf(m.get("action")), ((Number) m.get("rollbackTo")).intValue(),
                    String.valueOf(m.get("runId")), String.valueOf(m.get("reason")), String.valueOf(m.get("time")));
        }
    }

    /** Every entry, oldest first. */
    public List<Entry> history() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus st : fs.listStatus(dir)) {
            if (st.getPath().getName().matches(PATTERN)) {
                out.add(Entry.fromMap((Map<?, ?>) Json.parse(ExclusiveFiles.read(fs, st.getPath()))));
            }
        }
        out.sort(Comparator.comparingInt(Entry::seq));
        return out;
    }

    /** The newest entry; empty before the first promotion. */
    public Optional<Entry> current() throws IOException {
        List<Entry> h = history();
        return h.isEmpty() ? Optional.empty() : Optional.of(h.get(h.size() - 1));
    }

    /** Makes {@code version} champion; a later rollback returns to the champion before it. */
    public Entry promote(int version, boolean forced, String runId, String reason, Instant now) throws IOException {
        List<Entry> h = history();
        int previous = h.isEmpty() ? 0 : h.get(h.size() - 1).version();
        return publish(h, version, forced ? "promote-forced" : "promote", previous, runId, reason, now);
    }

    /**
     * Returns to the champion before the current one ({@code to} 0), or to former champion {@code to};
     * a later rollback returns to the champion before that one, as it did then.
     */
    public Entry rollback(int to, String runId, String reason, Instant now) throws IOException {
        List<Entry> h = history();
        if (h.isEmpty()) {
            throw new IllegalArgumentException("rollback : the registry has no champion yet");
        }
        Entry current = h.get(h.size() - 1);
        int target = to == 0 ? current.rollbackTo() : to;
        if (target == 0) {
            throw new IllegalArgumentException("rollback : v" + current.version() + " is the first champion"
                    + " (expected: a former champion to return to)");
        }
        if (target == current.version()) {
            throw new IllegalArgumentException("rollback --to " + target + " : v" + target + " is the champion already");
        }
        Entry made = null;
        for (int i = h.size() - 2; i >= 0 && made == null; i--) {
            if (h.get(i).version() == target) {
                made = h.get(i);
            }
        }
        if (made == null) {
            throw new IllegalArgumentException("rollback --to " + target + " : v" + target + " was never champion"
                    + " (expected: a former champion; use 'registry promote' for another version)");
        }
        return publish(h, target, "rollback", made.rollbackTo(), runId, reason, now);
    }

    private Entry publish(List<Entry> h, int version, String action, int rollbackTo, String runId, String reason,
                          Instant now) throws IOException {
        int seq = h.isEmpty() ? 1 : h.get(h.size() - 1).seq() + 1;
        Entry e = new Entry(seq, version, action, rollbackTo, runId, reason, now.toString());
        Path file = new Path(dir, String.format("%08d.json", seq));
        if (!ExclusiveFiles.create(fs, file, Json.writePretty(e.toMap()).getBytes(StandardCharsets.UTF_8))) {
            throw new IllegalStateException("champion pointer entry " + file + " was written by another run meanwhile"
                    + " (expected: one writer, holding the registry lock)");
        }
        return e;
    }
}
