package dev.lamina.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The surefire JVM runs with {@code --add-modules jdk.incubator.vector}, so the provider must pick
 * the Vector API here. A child JVM started without that flag must fall back to the scalar kernels
 * and log why.
 */
class KernelProviderTest {

    @Test
    void choosesVectorKernelsWhenTheModuleIsPresent() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "surefire argLine should add jdk.incubator.vector");
        assertTrue(KernelProvider.vectorized(), KernelProvider.description());
        assertTrue(KernelProvider.kernels() instanceof VectorKernels, KernelProvider.description());
        assertSame(KernelProvider.kernels(), KernelProvider.kernels());
    }

    @Test
    void theProjectJvmOptionsRaiseTheTrapLimit() {
        // The surefire argLine is the pom's lamina.jvm.options, which bin/lamina also uses.
        assertEquals(java.util.OptionalLong.of(KernelProvider.RECOMMENDED_TRAP_LIMIT), KernelProvider.trapLimit());
    }

    @Test
    void descriptionNamesImplementationAndWidth() {
        String description = KernelProvider.description();
        assertTrue(description.matches("VectorKernels \\(FloatVector \\d+ bits\\)"), description);
        assertTrue(description.contains(VectorKernels.vectorBitSize() + " bits"), description);
        assertEquals(VectorKernels.vectorBitSize(), KernelProvider.vectorBits());
    }

    @Test
    void fallsBackToScalarWithALoggedReasonWithoutTheModule() throws IOException, InterruptedException {
        String output = probe();
        assertTrue(output.contains("vectorized=false"), output);
        assertTrue(output.contains("description=ScalarKernels (fallback: Vector API not available: start the JVM"
                + " with --add-modules jdk.incubator.vector"), output);
        assertTrue(output.contains("WARNING"), "the fallback reason must be logged: " + output);
        assertTrue(output.contains("dot=32.0"), "the scalar kernels must work: " + output);
        assertTrue(output.contains("vectorBits=32"), "the scalar kernels compute one float at a time: " + output);
    }

    @Test
    void warnsWhenTheTrapLimitIsHotSpotsDefault() throws IOException, InterruptedException {
        String low = probe("-XX:PerMethodTrapLimit=100", "--add-modules=jdk.incubator.vector");
        assertTrue(low.contains("vectorized=true"), low);
        assertTrue(low.contains("WARNING") && low.contains("-XX:PerMethodTrapLimit is 100 (expected: >= 1000"), low);
        String raised = probe("-XX:PerMethodTrapLimit=1000", "--add-modules=jdk.incubator.vector");
        assertTrue(raised.contains("vectorized=true"), raised);
        assertTrue(!raised.contains("PerMethodTrapLimit is"), raised);
    }

    /** The output of {@link FallbackProbe} in a child JVM started with the given options (and no others). */
    private static String probe(String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto"));
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FallbackProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    /** Main of the child JVM in {@link #fallsBackToScalarWithALoggedReasonWithoutTheModule}. */
    static final class FallbackProbe {
        public static void main(String[] args) {
            float[] x = {1f, 2f, 3f};
            float[] y = {4f, 5f, 6f};
            System.out.println("vectorized=" + KernelProvider.vectorized());
            System.out.println("description=" + KernelProvider.description());
            System.out.println("dot=" + KernelProvider.kernels().dot(3, x, 0, y, 0));
            System.out.println("vectorBits=" + KernelProvider.vectorBits());
        }
    }
}
