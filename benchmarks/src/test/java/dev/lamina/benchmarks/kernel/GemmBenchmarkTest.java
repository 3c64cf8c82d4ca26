package dev.lamina.benchmarks.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GemmBenchmarkTest {

    @Test
    void peakIsTwoFmaPipesOfTheVectorWidthAtTheReferenceClock() {
        assertEquals(224.0, GemmBenchmark.peakGflops(null, 512), 1e-9);
        assertEquals(112.0, GemmBenchmark.peakGflops("", 256), 1e-9);
        assertEquals(14.0, GemmBenchmark.peakGflops(null, 32), 1e-9);
    }

    @Test
    void aGivenPeakOverridesTheEstimate() {
        assertEquals(150.5, GemmBenchmark.peakGflops(" 150.5 ", 256), 1e-9);
    }

    @Test
    void aBadPeakIsRefusedWithTheValue() {
        for (String bad : new String[] {"fast", "0", "-3", "NaN", "Infinity"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GemmBenchmark.peakGflops(bad, 256));
            assertTrue(e.getMessage().contains("lamina.peakGflops : " + bad), e.getMessage());
        }
    }
}
