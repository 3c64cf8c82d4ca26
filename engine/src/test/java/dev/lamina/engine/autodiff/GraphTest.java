package dev.lamina.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.kernel.ScalarKernels;
import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphTest {

    @Test
    void matmulShapeMismatchNamesBothShapes() {
        Graph g = new Graph();
        Node a = g.input("a", Shape.of(2, 3));
        Node b = g.input("b", Shape.of(2, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.matmul(a, b, false, false));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("a=") && e.getMessage().contains("b="),
                e.getMessage());
        assertEquals(Shape.of(2, 2), g.matmul(a, b, false, true).shape());
    }

    @Test
    void buildingDoesNoArithmeticAndPlanComputes() {
        Graph g = new Graph();
        Node a = g.input("a", Shape.of(2, 2));
        Node b = g.param("b", Shape.of(2));
        Node y = g.relu(g.addBias(a, b));
        float[] bias = {1f, -5f};
        Plan plan = Plan.compile(ScalarKernels.INSTANCE, g, List.of(y), Map.of(b, new Tensor(Shape.of(2), bias, 0)));
        Tensor in = plan.tensor(a);
        System.arraycopy(new float[] {1, 2, 3, 4}, 0, in.data(), in.offset(), 4);
        plan.run();
        assertArrayEquals(new float[] {2, 0, 4, 0}, plan.tensor(y).toArray());
    }

    @Test
    void labelOutsideClassRangeNamesTheRow() {
        Graph g = new Graph();
        Node x = g.input("x", Shape.of(2, 3));
        Node labels = g.input("labels", Shape.of(2));
        Node loss = g.nll(g.logSoftmax(x), labels);
        Plan plan = Plan.compile(ScalarKernels.INSTANCE, g, List.of(loss), Map.of());
        plan.tensor(labels).data()[plan.tensor(labels).offset() + 1] = 3f;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, plan::run);
        assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("3.0"), e.getMessage());
    }

    @Test
    void unboundParameterIsRefused() {
        Graph g = new Graph();
        Node p = g.param("w", Shape.of(3));
        Node y = g.relu(p);
        assertThrows(IllegalArgumentException.class, () -> Plan.compile(ScalarKernels.INSTANCE, g, List.of(y), Map.of()));
    }
}
