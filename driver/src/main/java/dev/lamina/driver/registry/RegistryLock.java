package dev.lamina.driver.registry;

import dev.lamina.engine.io.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The registry's write lock: one file, created once ({@link ExclusiveFiles}), naming its holder's run
 * id, host and a random token. It expires {@code ttl} after its file's modification time, which the
 * holder renews with {@link #heartbeat()} (a run that died leaves a lock the next run takes over once
 * expired). Before each write the holder checks with {@link #verifyHeld()} that the file is still its
 * own, so a run whose expired lock was taken over stops instead of writing beside the new holder.
 */
public final class RegistryLock implements AutoCloseable {

    /** The lock is held by another run and has not expired. */
    public static final class HeldException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }

    private final FileSystem fs;
    private final Path file;
    private final String token;
    private final Clock clock;
    private boolean released;

    private RegistryLock(FileSystem fs, Path file, String token, Clock clock) {
        this.fs = fs;
        this.file = file;
        this.token = token;
        this.clock = clock;
    }

    /**
     * Takes the lock for {@code runId}, taking over an expired one.
     *
     * @throws HeldException while another run holds an unexpired lock
     */
    public static RegistryLock acquire(FileSystem fs, Path file, String runId, Duration ttl, Clock clock)
            throws IOException {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lock time-to-live : " + ttl + " (expected: > 0)");
        }
        String token = UUID.randomUUID().toString();
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("token", token);
        content.put("runId", runId);
        content.put("host", host());
        content.put("process", ManagementFactory.getRuntimeMXBean().getName());
        content.put("acquired", clock.instant().toString());
        content.put("ttlSeconds", ttl.toSeconds());
        byte[] bytes = Json.writePretty(content).getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < 2; attempt++) {
            if (ExclusiveFiles.create(fs, file, bytes)) {
                fs.setTimes(file, clock.millis(), -1);
                return new RegistryLock(fs, file, token, clock);
            }
            Optional<Holder> holder = holder(fs, file);
            if (holder.isEmpty()) {
                continue;   // released meanwhile: try again
            }
            Holder h = holder.get();
            Instant now = clock.instant();
            if (!h.expires().isBefore(now)) {
                throw new HeldException("registry lock " + file + " is held by run " + h.runId() + " on " + h.host()
                        + " until " + h.expires() + " (renewed while it runs; taken over once expired)");
            }
            // Expired: remove it if it is still the same holder's, then race for it once more.
            Optional<Holder> again = holder(fs, file);
            if (again.isPresent() && again.get().token().equals(h.token())) {
                fs.delete(file, false);
            }
        }
        Optional<Holder> h = holder(fs, file);
        throw new HeldException("registry lock " + file + " was taken by run " + h.map(Holder::runId).orElse("?")
                + " while this run took over an expired lock");
    }

    /** Who holds a lock, and until when. */
    record Holder(String token, String runId, String host, Instant expires) {
    }

    static Optional<Holder> holder(FileSystem fs, Path file) throws IOException {
        try {
            long modified = fs.getFileStatus(file).getModificationTime();
            Map<?, ?> m = (Map<?, ?>) Json.parse(ExclusiveFiles.read(fs, file));
            long ttl = ((Number) m.get("ttlSeconds")).longValue();
            return Optional.of(new Holder(String.valueOf(m.get("token")), String.valueOf(m.get("runId")),
                    String.valueOf(m.get("host")), Instant.ofEpochMilli(modified).plusSeconds(ttl)));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Renews the lock: it now expires a time-to-live from now. */
    public void heartbeat() throws IOException {
        verifyHeld();
        fs.setTimes(file, clock.millis(), -1);
    }

    /** Throws unless the lock file is still this holder's. */
    public void verifyHeld() throws IOException {
        Optional<Holder> h = holder(fs, file);
        if (released || h.isEmpty() || !h.get().token().equals(token)) {
            throw new HeldException("registry lock " + file + " is no longer held by this run (now: "
                    + h.map(x -> "run " + x.runId() + " on " + x.host()).orElse("nobody")
                    + "); it expired and was taken over: nothing more is written");
        }
    }

    /** Releases the lock if it is still this holder's. */
    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        Optional<Holder> h = holder(fs, file);
        if (h.isPresent() && h.get().token().equals(token)) {
            fs.delete(file, false);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
