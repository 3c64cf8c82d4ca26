package dev.lamina.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {

    @TempDir
    Path tmp;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void extractsRequestedEntriesUnderTheirBaseNames() throws IOException {
        byte[] big = new byte[70_001];
        new SplittableRandom(7).nextBytes(big);
        Path archive = new TarFixture()
                .directory("package/")
                .file("package/package.json", bytes("{}"))
                .file("package/data/a.bin", big)
                .file("package/data/empty", new byte[0])
                .file("package/data/b.txt", bytes("hello"))
                .writeTo(tmp.resolve("p.tgz"));
        Path out = tmp.resolve("out");

        Map<String, Path> got = TarGz.extract(archive, Set.of("package/data/a.bin", "package/data/b.txt",
                "package/data/empty"), out);

        assertEquals(3, got.size());
        assertArrayEquals(big, Files.readAllBytes(out.resolve("a.bin")));
        assertArrayEquals(bytes("hello"), Files.readAllBytes(out.resolve("b.txt")));
        assertEquals(0, Files.size(out.resolve("empty")));
        assertFalse(Files.exists(out.resolve("package.json")));
        try (var files = Files.list(out)) {
            assertEquals(3, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void replacesAnExistingFile() throws IOException {
        Path archive = new TarFixture().file("x/f", bytes("new")).writeTo(tmp.resolve("p.tgz"));
        Files.write(tmp.resolve("f"), bytes("old content"));
        TarGz.extract(archive, Set.of("x/f"), tmp);
        assertArrayEquals(bytes("new"), Files.readAllBytes(tmp.resolve("f")));
    }

    @Test
    void readsUstarPrefixAndPaxLongNames() throws IOException {
        String dir = "package/" + "d".repeat(60) + "/" + "e".repeat(60);
        String prefixed = dir + "/prefixed.bin";
        String pax = "package/" + "p".repeat(150) + "/pax.bin";
        Path archive = new TarFixture()
                .file(prefixed, bytes("via prefix"))
                .paxFile(pax, bytes("via pax"))
                .writeTo(tmp.resolve("long.tgz"));

        assertEquals(List.of(prefixed, pax), TarGz.list(archive));
        TarGz.extract(archive, Set.of(prefixed, pax), tmp.resolve("out"));
        assertArrayEquals(bytes("via prefix"), Files.readAllBytes(tmp.resolve("out/prefixed.bin")));
        assertArrayEquals(bytes("via pax"), Files.readAllBytes(tmp.resolve("out/pax.bin")));
    }

    @Test
    void rejectsParentTraversal() throws IOException {
        Path archive = new TarFixture().file("package/ok", bytes("ok")).file("../evil", bytes("x"))
                .writeTo(tmp.resolve("evil.tgz"));
        Path out = tmp.resolve("out");
        IOException e = assertThrows(IOException.class, () -> TarGz.extract(archive, Set.of("package/ok"), out));
        assertTrue(e.getMessage().contains("unsafe tar entry name : ../evil"), e.getMessage());
        assertTrue(e.getMessage().contains(archive.toString()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("evil")));
    }

    @Test
    void rejectsAbsoluteAndTraversingNames() throws IOException {
        Path absolute = new TarFixture().file("/etc/evil", bytes("x")).writeTo(tmp.resolve("abs.tgz"));
        IOException e = assertThrows(IOException.class, () -> TarGz.extract(absolute, Set.of("a/b"), tmp));
        assertTrue(e.getMessage().contains("unsafe tar entry name : /etc/evil"), e.getMessage());

        Path nested = new TarFixture().file("package/../../evil", bytes("x")).writeTo(tmp.resolve("nested.tgz"));
        assertThrows(IOException.class, () -> TarGz.extract(nested, Set.of("a/b"), tmp));

        IllegalArgumentException requested = assertThrows(IllegalArgumentException.class,
                () -> TarGz.extract(absolute, Set.of("../evil"), tmp));
        assertTrue(requested.getMessage().contains("../evil"), requested.getMessage());
    }

    @Test
    void namesMissingEntries() throws IOException {
        Path archive = new TarFixture().file("package/a", bytes("a")).writeTo(tmp.resolve("p.tgz"));
        IOException e = assertThrows(IOException.class,
                () -> TarGz.extract(archive, Set.of("package/a", "package/zz"), tmp.resolve("out")));
        assertTrue(e.getMessage().contains("[package/zz]"), e.getMessage());
    }

    @Test
    void rejectsTruncatedArchive() throws IOException {
        byte[] tar = new TarFixture().file("package/a", new byte[5000]).tarBytes();
        Path archive = gzip(Arrays.copyOf(tar, 512 + 1000), tmp.resolve("cut.tgz"));
        IOException e = assertThrows(IOException.class,
                () -> TarGz.extract(archive, Set.of("package/a"), tmp.resolve("out")));
        assertTrue(e.getMessage().contains("truncated tar entry package/a : 1000 bytes (expected: 5000)"),
                e.getMessage());
        try (var files = Files.list(tmp.resolve("out"))) {
            assertEquals(0, files.count(), "the partial temporary file is removed");
        }
    }

    @Test
    void rejectsBadChecksum() throws IOException {
        byte[] tar = new TarFixture().file("package/a", bytes("a")).tarBytes();
        tar[0] = 'q';
        Path archive = gzip(tar, tmp.resolve("bad.tgz"));
        IOException e = assertThrows(IOException.class,
                () -> TarGz.extract(archive, Set.of("package/a"), tmp.resolve("out")));
        assertTrue(e.getMessage().contains("tar header checksum"), e.getMessage());
    }

    @Test
    void rejectsDuplicateBaseNames() {
        assertThrows(IllegalArgumentException.class,
                () -> TarGz.extract(tmp.resolve("none.tgz"), Set.of("a/x", "b/x"), tmp));
    }

    @Test
    void concurrentExtractionsIntoOneDirectoryAgree() throws Exception {
        byte[] big = new byte[300_000];
        new SplittableRandom(11).nextBytes(big);
        Path archive = new TarFixture().file("package/data/big", big).writeTo(tmp.resolve("p.tgz"));
        Path out = tmp.resolve("out");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Map<String, Path>>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(pool.submit(() -> TarGz.extract(archive, Set.of("package/data/big"), out)));
            }
            for (Future<Map<String, Path>> run : runs) {
                assertArrayEquals(big, Files.readAllBytes(run.get().get("package/data/big")));
            }
        } finally {
            pool.shutdownNow();
        }
        try (var files = Files.list(out)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    private static Path gzip(byte[] data, Path file) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(data);
        }
        return file;
    }
}
