package dev.lamina.driver.registry;

import dev.lamina.engine.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model registry on any Hadoop file system:
 * <pre>
 * URL/versions/vN/       a model directory (model.json, weights.safetensors, metrics.json, report.html, ...)
 *                        with version.json (run id, parent, metrics, data fingerprint, decision),
 *                        profile.json (the training data's profile) and, after a drift check, drift.json
 * URL/champion/NNNNNNNN.json  the champion pointer ({@link ChampionPointer})
 * URL/runs/ID.json       one decision summary per run id ({@link RunPlan})
 * URL/lock               the write lock while a run holds it ({@link RegistryLock})
 * </pre>
 * Versions are written whole into a staging directory and renamed into place; nothing under
 * {@code versions/} or {@code runs/} changes once written.
 */
public final class ModelRegistry {
    public static final String VERSION_JSON = "version.json";
    public static final String PROFILE_JSON = "profile.json";
    public static final String DRIFT_JSON = "drift.json";
    public static final String DECISION_JSON = "decision.json";

    private final String url;
    private final FileSystem fs;
    private final Path root;
    private final Clock clock;

    private ModelRegistry(String url, FileSystem fs, Path root, Clock clock) {
        this.url = url;
        this.fs = fs;
        this.root = root;
        this.clock = clock;
    }

    /** The registry at {@code url} (created on the first write). */
    public static ModelRegistry open(String url, Configuration conf) throws IOException {
        return open(url, conf, Clock.systemUTC());
    }

    /** As {@link #open(String, Configuration)}, with the clock that stamps entries and expires locks. */
    public static ModelRegistry open(String url, Configuration conf, Clock clock) throws IOException {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("--registry '" + url + "' (expected: a directory URL, e.g. hdfs:///models/x)");
        }
        Path root = new Path(url);
        FileSystem fs = ExclusiveFiles.plain(root.getFileSystem(conf));
        return new ModelRegistry(url, fs, fs.makeQualified(root), clock);
    }

    public String url() {
        return url;
    }

    public Clock clock() {
        return clock;
    }

    /** Every version, oldest first. */
    public List<RegistryVersion> versions() throws IOException {
        List<RegistryVersion> out = new ArrayList<>();
        Path dir = new Path(root, "versions");
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (st.isDirectory() && name.matches("v\\d+")) {
                out.add(RegistryVersion.fromMap((Map<?, ?>) Json.parse(ExclusiveFiles.read(fs,
                        new Path(st.getPath(), VERSION_JSON)))));
            }
        }
        out.sort(Comparator.comparingInt(RegistryVersion::version));
        return out;
    }

    /** Version {@code n}, or an error naming the versions there are. */
    public RegistryVersion version(int n) throws IOException {
        List<RegistryVersion> all = versions();
        return all.stream().filter(v -> v.version() == n).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "version " + n + " : not in registry " + url + " (versions: "
                        + (all.isEmpty() ? "none" : all.stream().map(v -> "v" + v.version()).toList()) + ")"));
    }

    /** The model directory of version {@code n} (for ModelFiles.read). */
    public String dir(int n) {
        return new Path(new Path(root, "versions"), "v" + n).toString();
    }

    /** The number the next version gets. */
    public int nextVersion() throws IOException {
        List<RegistryVersion> all = versions();
        return all.isEmpty() ? 1 : all.get(all.size() - 1).version() + 1;
    }

    public ChampionPointer pointer() {
        return new ChampionPointer(fs, new Path(root, "champion"));
    }

    /** The champion's version number, if there is one. */
    public Optional<Integer> champion() throws IOException {
        return pointer().current().map(ChampionPointer.Entry::version);
    }

    /** Version {@code n}'s training data profile. */
    public DataProfile profile(int n) throws IOException {
        return DataProfile.fromMap((Map<?, ?>) Json.parse(ExclusiveFiles.read(fs, new Path(dir(n), PROFILE_JSON))));
    }

    /** The lock for a run; throws {@link RegistryLock.HeldException} while another run holds it. */
    public RegistryLock lock(String runId, Duration ttl) throws IOException {
        fs.mkdirs(root);
        return RegistryLock.acquire(fs, new Path(root, "lock"), runId, ttl, clock);
    }

    /** A fresh staging directory under versions/ to write a version into. */
    public String stage() throws IOException {
        Path p = new Path(new Path(root, "versions"), ".staging-" + UUID.randomUUID());
        fs.mkdirs(p);
        return p.toString();
    }

    /**
     * Writes {@code info} as the staged directory's version.json and renames the directory to version
     * {@code n}; the caller holds the lock.
     */
    public void commit(String staging, int n, Map<String, Object> info) throws IOException {
        Path target = new Path(dir(n));
        if (fs.exists(target)) {
            throw new IllegalStateException("version " + target + " exists already (expected: a new version number)");
        }
        writeJson(new Path(staging, VERSION_JSON), info);
        if (!fs.rename(new Path(staging), target)) {
            throw new IOException("could not rename " + staging + " to " + target);
        }
    }

    /** Removes a staging directory left by a failed run. */
    public void discard(String staging) throws IOException {
        fs.delete(new Path(staging), true);
    }

    /** Writes a small JSON file into a (staged) version directory. */
    public void writeJson(Path file, Map<String, Object> values) throws IOException {
        if (!ExclusiveFiles.create(fs, file, Json.writePretty(values).getBytes(StandardCharsets.UTF_8))) {
            throw new IllegalStateException(file + " exists already (expected: written once)");
        }
    }

    /** A JSON file of version {@code n} (decision.json, drift.json, metrics.json), if it has one. */
    public Optional<Map<String, Object>> versionFile(int n, String name) throws IOException {
        return readJson(new Path(dir(n), name));
    }

    /** The record of run {@code runId}, if it finished. */
    public Optional<Map<String, Object>> run(String runId) throws IOException {
        Optional<Map<String, Object>> m = readJson(runFile(runId));
        if (m.isPresent() && !runId.equals(m.get().get("runId"))) {
            throw new IllegalStateException("run record " + runFile(runId) + " is for run " + m.get().get("runId")
                    + " (expected: " + runId + ")");
        }
        return m;
    }

    /** Writes run {@code runId}'s record, once. */
    public void writeRun(String runId, Map<String, Object> record) throws IOException {
        writeJson(runFile(runId), record);
    }

    @SuppressWarnings("unchecked")
    private Optional<Map<String, Object>> readJson(Path file) throws IOException {
        if (!fs.exists(file)) {
            return Optional.empty();
        }
        return Optional.of((Map<String, Object>) Json.parse(ExclusiveFiles.read(fs, file)));
    }

    /** runs/NAME-HASH.json: the id made safe for any file system, and a hash of the exact id. */
    private Path runFile(String runId) {
        if (runId == null || runId.isBlank() || runId.length() > 256) {
            throw new IllegalArgumentException("--run-id '" + runId + "' (expected: 1 to 256 characters)");
        }
        String safe = runId.replaceAll("[^A-Za-z0-9._-]", "_");
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256").digest(runId.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        String name = safe.substring(0, Math.min(safe.length(), 80)) + "-" + HexFormat.of().formatHex(digest, 0, 4);
        return new Path(new Path(root, "runs"), name + ".json");
    }
}
