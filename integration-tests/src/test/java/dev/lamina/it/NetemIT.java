package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lamina.jobs.BenchJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --suite netem} end to end, short: a parameter server and two workers as JVMs in network
 * namespaces of their own, LeNet in sync mode without compression, unshaped and over 100 Mbit/s links
 * with a 10 ms one-way delay (netem where the kernel has it, else tbf and the TAP relay, which CI builds
 * with its C compiler). The shaped run cannot beat the link: each step moves both workers' pushes
 * through the server's link one way and their pulls the other way, one after the other, and each
 * direction adds the delay, so a step takes at least those bytes at 100 Mbit/s (less the token
 * bucket's 64 KB bursts) plus twice the delay: 10 ms more than the same link without delay could do.
 * The namespaces are gone afterwards. Needs root (CI runs as root; elsewhere the test is skipped,
 * saying why).
 */
class NetemIT {

    @Test
    @SuppressWarnings("unchecked")
    void trainingOverShapedLinksBetweenNamespacesIsBoundByTheLink() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "NetemIT creates network namespaces and needs root (user.name is " + System.getProperty("user.name") + ")");
        Map<String, Object> summary = BenchJob.run(new String[] {"--suite", "netem", "--model", "lenet",
                "--config", Path.of("..", "conf", "scaling-lenet.yaml").toString(), "--bandwidths", "0,100",
                "--modes", "sync", "--compressions", "none", "--steps", "24", "--delay-ms", "10"});
        List<Map<String, Object>> results = (List<Map<String, Object>>) summary.get("results");
        assertEquals(2, results.size(), results.toString());
        Map<String, Object> unshaped = results.get(0);
        Map<String, Object> shaped = results.get(1);
        assertEquals(null, unshaped.get("bandwidth_mbit"));
        assertEquals(100.0, ((Number) shaped.get("bandwidth_mbit")).doubleValue());
        double bytesPerStep = number(shaped, "bytes_sent_per_step") + number(shaped, "bytes_received_per_step");
        assertTrue(bytesPerStep > 2 * 4 * 61_000, "a LeNet push and pull of ~61.7k floats: " + shaped);
        double linkSeconds = 2 * number(shaped, "bytes_received_per_step") * 8 / 100e6;
        assertTrue(number(shaped, "step_seconds") >= 0.9 * linkSeconds, "a step at 100 Mbit/s takes at least "
                + linkSeconds + " s to move both workers' pulls through the server's link: " + shaped);
        assertTrue(List.of("netem", "tbf+tapdelay").contains(shaped.get("shaper")), "the delay is emulated: " + shaped);
        assertEquals(10.0, number(shaped, "delay_ms"), shaped.toString());
        double burstSeconds = 64 * 1024 * 8 / 100e6;
        double bothWays = 2 * (number(shaped, "bytes_sent_per_step") + number(shaped, "bytes_received_per_step")) * 8
                / 100e6 - 2 * burstSeconds;
        assertTrue(number(shaped, "step_seconds") >= bothWays + 2 * 0.010, "a sync step moves " + bothWays
                + " s of pushes and pulls (less the bursts) one after the other, each direction 10 ms late: "
                + shaped);
        assertTrue(number(shaped, "relative_to_unshaped") > 0, shaped.toString());
        Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String namespaces = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        list.waitFor();
        assertFalse(namespaces.contains("lam" + ProcessHandle.current().pid() % 100000), namespaces);
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
