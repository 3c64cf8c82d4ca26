package dev.lamina.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Makes the module rule executable: only {@code dev.lamina.engine.kernel} may import or reference
 * {@code jdk.incubator.vector}. Scans the engine's main sources (comments stripped, so Javadoc
 * may mention the module) and names every offending file.
 */
class ArchitectureTest {

    private static final Path SOURCES = mainSources();
    private static final String KERNEL_PACKAGE_DIR = "dev/lamina/engine/kernel/";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void onlyTheKernelPackageUsesTheVectorApi() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), "run from the engine module: " + SOURCES.toAbsolutePath());
        List<String> violations = new ArrayList<>();
        int scanned = 0;
        boolean sawVectorKernels = false;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String relative = SOURCES.relativize(file).toString().replace('\\', '/');
                String source = read(file);
                scanned++;
                sawVectorKernels |= relative.equals(KERNEL_PACKAGE_DIR + "VectorKernels.java")
                        && usesVectorApi(source);
                if (violates(relative, source)) {
                    violations.add(relative);
                }
            }
        }
        assertTrue(scanned > 0, "no sources found under " + SOURCES.toAbsolutePath());
        assertTrue(sawVectorKernels, "the scan should see VectorKernels using the Vector API");
        assertEquals(List.of(), violations,
                "only " + KERNEL_PACKAGE_DIR + " may use " + VECTOR_MODULE + "; offending files");
    }

    @Test
    void checkCatchesImportsAndQualifiedNamesButNotComments() {
        String tensor = "dev/lamina/engine/tensor/Tensor.java";
        assertTrue(violates(tensor, "package x;\nimport jdk.incubator.vector.FloatVector;\nclass T {}"));
        assertTrue(violates(tensor, "class T { int w = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(); }"));
        assertTrue(violates(tensor, "import static jdk.incubator.vector.VectorOperators.ADD;"));
        assertFalse(violates(tensor, "/** Uses KernelProvider, never jdk.incubator.vector. */ class T {}"));
        assertFalse(violates(tensor, "class T { // not jdk.incubator.vector\n}"));
        assertFalse(violates(KERNEL_PACKAGE_DIR + "VectorKernels.java", "import jdk.incubator.vector.FloatVector;"));
        assertTrue(violates("dev/lamina/engine/kernelx/Sneaky.java", "import jdk.incubator.vector.FloatVector;"));
    }

    /**
     * The engine's src/main/java: found from where this test class was loaded
     * (engine/target/test-classes), so the check does not depend on the working directory.
     */
    private static Path mainSources() {
        try {
            Path testClasses = Path.of(ArchitectureTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path fromClasses = testClasses.getParent().getParent().resolve(Path.of("src", "main", "java"));
            return Files.isDirectory(fromClasses) ? fromClasses : Path.of("src", "main", "java");
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("src", "main", "java");
        }
    }

    /** True when a file outside the kernel package mentions the Vector API module in code. */
    static boolean violates(String relativePath, String source) {
        return !relativePath.startsWith(KERNEL_PACKAGE_DIR) && usesVectorApi(source);
    }

    private static boolean usesVectorApi(String source) {
        return COMMENTS.matcher(source).replaceAll(" ").contains(VECTOR_MODULE);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
