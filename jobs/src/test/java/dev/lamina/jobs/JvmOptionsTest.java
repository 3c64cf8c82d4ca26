package dev.lamina.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM options every engine JVM needs live in the parent pom ({@code lamina.jvm.options}, which
 * bin/lamina reads and the tests run with); conf/spark-defaults.conf, the file users copy into their
 * Spark configuration, must carry the same list for the driver and the executors.
 */
class JvmOptionsTest {

    private static List<String> pomOptions() throws IOException {
        Matcher m = Pattern.compile("<lamina.jvm.options>(.*?)</lamina.jvm.options>")
                .matcher(Files.readString(Path.of("..", "pom.xml")));
        assertTrue(m.find(), "the parent pom defines lamina.jvm.options");
        return List.of(m.group(1).trim().split("\\s+"));
    }

    private static List<String> sparkDefault(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("..", "conf", "spark-defaults.conf"))) {
            String[] kv = line.trim().split("\\s+", 2);
            if (kv.length == 2 && kv[0].equals(key)) {
                return List.of(kv[1].trim().split("\\s+"));
            }
        }
        throw new AssertionError(key + " is missing from conf/spark-defaults.conf");
    }

    @Test
    void sparkDefaultsCarryThePomsOptionsForDriverAndExecutors() throws IOException {
        List<String> pom = pomOptions();
        assertTrue(pom.contains("--add-modules=jdk.incubator.vector"), pom.toString());
        assertTrue(pom.contains("-XX:PerMethodTrapLimit=1000"), pom.toString());
        String scaling = "-XX:CompileCommand=option,dev.lamina.engine.kernel.VectorMath::*,double,CompileThresholdScaling,0.1";
        assertTrue(pom.contains(scaling) && pom.contains("-XX:CompileCommand=quiet"), pom.toString());
        assertEquals(pom, sparkDefault("spark.driver.extraJavaOptions"));
        assertEquals(pom, sparkDefault("spark.executor.extraJavaOptions"));
    }

    @Test
    void binLaminaReadsThePomsOptions() throws IOException {
        String script = Files.readString(Path.of("..", "bin", "lamina"));
        assertTrue(script.contains("<lamina.jvm.options>"), "bin/lamina takes its JVM options from the pom");
        // one option holds a method pattern with '*': split on spaces, never globbed
        assertTrue(script.contains("\nset -f\n"), "bin/lamina turns globbing off before the options");
    }
}
