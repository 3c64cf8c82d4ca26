package dev.lamina.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Fork;

class BenchmarkDefaultsTest {

    /**
     * JMH's command-line {@code -jvmArgsAppend} and {@code -jvmArgsPrepend} replace the
     * annotation's lists of the same name, so the Vector API module must be in {@code jvmArgs}:
     * otherwise {@code -jvmArgsAppend -Dlamina.peakGflops=G} (as the GEMM benchmark documents)
     * silently measures the scalar fallback.
     */
    @Test
    void forkOptionsSurviveCommandLineAppendAndPrepend() {
        Fork fork = BenchmarkDefaults.class.getAnnotation(Fork.class);
        List<String> args = List.of(fork.jvmArgs());
        assertTrue(args.contains("--add-modules=jdk.incubator.vector"), "jvmArgs " + args);
        assertTrue(isUnset(fork.jvmArgsAppend()), "jvmArgsAppend " + List.of(fork.jvmArgsAppend()));
        assertTrue(isUnset(fork.jvmArgsPrepend()), "jvmArgsPrepend " + List.of(fork.jvmArgsPrepend()));
        assertEquals(1, fork.value());
    }

    private static boolean isUnset(String[] list) {
        return list.length == 1 && Fork.BLANK_ARGS.equals(list[0]);
    }
}
