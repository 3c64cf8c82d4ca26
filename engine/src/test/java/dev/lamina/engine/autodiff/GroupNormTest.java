package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.autodiff.CentralDifference.Values;
import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Group normalization (2 groups and 1 group) against PyTorch (1e-5 abs + 1e-4 rel) and central differences. */
class GroupNormTest {

    static Stream<Arguments> goldens() {
        return Stream.of("groupnorm_g2", "groupnorm_g1").flatMap(n -> GradientCheckTest.kernels().map(k -> Arguments.of(n, k)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("goldens")
    void matchesPyTorch(String name, Kernels kernels) {
        CnnGoldenFixture f = CnnGoldenFixture.load(name);
        int groups = (int) f.doubleAttr("groups");
        float eps = (float) f.doubleAttr("eps");
        f.check(kernels, (g, in) -> NormOps.groupNorm(g, in.get("x"), in.get("weight"), in.get("bias"), groups, eps));
    }

    @Test
    void gradientsMatchCentralDifference() {
        Kernels k = GradientCheckTest.kernels().findFirst().orElseThrow();
        CentralDifference.check(k, List.of(Shape.of(2, 4, 2, 3), Shape.of(4), Shape.of(4)),
                (g, x) -> NormOps.groupNorm(g, x.get(0), x.get(1), x.get(2), 2, 1e-5f), Values.UNIFORM, 31);
        CentralDifference.check(k, List.of(Shape.of(2, 3, 4), Shape.of(3)),
                (g, x) -> NormOps.mulChannel(g, x.get(0), x.get(1)), Values.UNIFORM, 32);
    }

    @Test
    void channelsNotDivisibleByGroupsAreRefused() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(2, 6, 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NormOps.groupNorm(g, x, g.param("w", Shape.of(6)), g.param("b", Shape.of(6)), 4, 1e-5f));
        assertTrue(e.getMessage().contains("[2, 6, 3, 3]") && e.getMessage().contains("4 groups"), e.getMessage());
    }
}
