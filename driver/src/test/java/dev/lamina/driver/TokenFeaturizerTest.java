package dev.lamina.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.worker.FeatureBlock;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** Token windows to blocks: inputs and shifted targets, and the errors for bad windows. */
class TokenFeaturizerTest {

    /** An array column's value as Spark holds it in a row. */
    private static Object seq(Integer... ids) {
        return scala.jdk.javaapi.CollectionConverters.asScala(List.of(ids)).toSeq();
    }

    @Test
    void windowsSplitIntoInputsAndNextTokens() {
        List<Row> rows = List.of(RowFactory.create((Object) new byte[] {'a', 'b', 'c', 'd'}),
                RowFactory.create(seq(1, 2, 3, 127)));
        FeatureBlock b = Featurizer.toTokenBlock(rows.iterator(), 3, 128);
        assertEquals(2, b.rows());
        assertEquals(3, b.labelWidth());
        assertArrayEquals(new float[] {'a', 'b', 'c', 1, 2, 3}, b.features());
        assertArrayEquals(new float[] {'b', 'c', 'd', 2, 3, 127}, b.labels());
    }

    @Test
    void badWindowsNameTheRowAndTheExpectation() {
        float[] f = new float[3];
        float[] l = new float[3];
        IllegalArgumentException shortWindow = assertThrows(IllegalArgumentException.class,
                () -> Featurizer.readTokens(RowFactory.create((Object) new byte[] {1, 2}), 5, 3, 128, f, l));
        assertEquals("token window of length 2 in row 5 of this partition (expected: 4, the model's sequence length + 1)",
                shortWindow.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> Featurizer.readTokens(RowFactory.create(seq(1, 2, 300, 4)), 0, 3, 128, new float[3], new float[3]));
        assertTrue(outside.getMessage().startsWith("token id 300 at position 2 in row 0"), outside.getMessage());
        // A byte above the vocabulary (a model over 7-bit ASCII) is refused too.
        assertThrows(IllegalArgumentException.class, () -> Featurizer.readTokens(
                RowFactory.create((Object) new byte[] {1, 2, (byte) 200, 4}), 0, 3, 128, new float[3], new float[3]));
    }
}
