package dev.lamina.driver.data;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fashion-MNIST from Debian's package {@code dataset-fashion-mnist} (gzip IDX files, 60,000 / 10,000).
 * Uses {@code /usr/share/datasets/fashion-mnist} when the package is installed; otherwise downloads the
 * package with {@code apt-get download} and unpacks it with {@code dpkg-deb -x} into the cache, so no
 * root install is needed at run time. Every file is checked against its pinned SHA-256 before it gets
 * its final name.
 */
public final class FashionMnist {
    private static final System.Logger LOG = System.getLogger(FashionMnist.class.getName());
    public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
    static final Path INSTALLED = Path.of("/usr/share/datasets/fashion-mnist");

    /** name, SHA-256 */
    private static final List<String[]> FILES = List.of(
            new String[] {"train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"},
            new String[] {"train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"},
            new String[] {"t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"},
            new String[] {"t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"});

    private FashionMnist() {
    }

    /** The first {@code min(limit, N)} samples of the training or test set ({@code limit} 0 = all). */
    public static LabeledImages load(Path cacheDir, boolean train, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit : " + limit + " (expected: >= 0, 0 = all)");
        }
        Path dir = ensureFiles(cacheDir);
        String prefix = train ? "train" : "t10k";
        return IdxReader.read(dir.resolve(prefix + "-images-idx3-ubyte.gz"), dir.resolve(prefix + "-labels-idx1-ubyte.gz"),
                limit == 0 ? Integer.MAX_VALUE : limit);
    }

    /** The directory holding the four verified files: the installed package's, or the cache's. */
    public static Path ensureFiles(Path cacheDir) throws IOException {
        if (verified(INSTALLED)) {
            return INSTALLED;
        }
        Path dir = cacheDir.resolve("fashion-mnist").toAbsolutePath();
        if (allPresent(dir)) {
            return dir;
        }
        Files.createDirectories(dir);
        CacheFiles.deleteStale(dir, ".apt-");
        Path staging = Files.createTempDirectory(dir, ".apt-");
        try {
            LOG.log(Level.INFO, "fetching {0} from Debian (apt-get download) into {1}", DEBIAN_PACKAGE, dir);
            run(staging, "apt-get", "download", DEBIAN_PACKAGE);
            Path deb;
            try (var files = Files.list(staging)) {
                deb = files.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download " + DEBIAN_PACKAGE + " left no .deb in " + staging));
            }
            Path unpacked = staging.resolve("root");
            run(staging, "dpkg-deb", "-x", deb.toString(), unpacked.toString());
            Path from = unpacked.resolve("usr/share/datasets/fashion-mnist");
            for (String[] f : FILES) {
                Sha256.verify(from.resolve(f[0]), f[1]);
            }
            for (String[] f : FILES) {
                CacheFiles.moveAtomically(from.resolve(f[0]), dir.resolve(f[0]));
            }
        } finally {
            CacheFiles.deleteQuietly(staging, null);
        }
        return dir;
    }

    private static boolean verified(Path dir) throws IOException {
        for (String[] f : FILES) {
            Path p = dir.resolve(f[0]);
            if (!Files.isRegularFile(p) || !Sha256.hex(p).equals(f[1])) {
                return false;
            }
        }
        return true;
    }

    /** Files under their final names were verified before they got them; being there suffices. */
    private static boolean allPresent(Path dir) {
        for (String[] f : FILES) {
            if (!Files.isRegularFile(dir.resolve(f[0]))) {
                return false;
            }
        }
        return true;
    }

    private static void run(Path dir, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(command[0] + " not found: Fashion-MNIST comes from Debian's " + DEBIAN_PACKAGE
                    + " package (install it, or run on Debian with apt-get and dpkg-deb)", e);
        }
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out after 5 minutes");
            }
            if (p.exitValue() != 0) {
                String text = new String(out, StandardCharsets.UTF_8).strip();
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                        + text.substring(Math.max(0, text.length() - 400)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command[0], e);
        }
    }
}
