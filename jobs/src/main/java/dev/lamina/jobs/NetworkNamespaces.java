package dev.lamina.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An emulated network of real hosts on this machine: one Linux network namespace for the parameter
 * server and one per worker, each joined by a veth pair to a bridge in a switch namespace of its own,
 * so that all traffic between them stays inside namespaces this object made (nothing touches the
 * root namespace's interfaces). Links are shaped on both ends of every veth pair: with
 * {@code netem rate R delay D/2} where the kernel has {@code sch_netem} (a host-to-host path then has
 * rate R and one-way delay D), else with a token bucket ({@code tbf rate R}) and no added delay, which
 * {@link #delayEmulated()} reports. Needs root and iproute2 ({@code ip}, {@code tc}). {@link #close()}
 * deletes the namespaces (and with them every interface in them), also after a failure.
 */
final class NetworkNamespaces implements AutoCloseable {
    private static final String SUBNET = "10.213.0.";

    private final String prefix;
    private final int workers;
    private final List<String> created = new ArrayList<>();
    private final List<String[]> shapedLinks = new ArrayList<>();
    private boolean netem = true;
    private boolean closed;

    private NetworkNamespaces(String prefix, int workers) {
        this.prefix = prefix;
        this.workers = workers;
    }

    /** Creates the namespaces, links and addresses for a server and {@code workers} workers. */
    static NetworkNamespaces create(int workers) throws IOException, InterruptedException {
        if (workers < 1 || workers > 50) {
            throw new IllegalArgumentException("workers : " + workers + " (expected: in [1, 50])");
        }
        NetworkNamespaces n = new NetworkNamespaces("lam" + ProcessHandle.current().pid() % 100000, workers);
        Runtime.getRuntime().addShutdownHook(new Thread(n::close, "lamina-netns-cleanup"));
        try {
            n.build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            n.close();
            throw e;
        }
        return n;
    }

    private void build() throws IOException, InterruptedException {
        String sw = namespace("sw");
        add(sw);
        run("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", sw, "link", "set", "br0", "up");
        for (int h = 0; h <= workers; h++) {
            String host = h == 0 ? serverNamespace() : workerNamespace(h - 1);
            add(host);
            String inside = prefix + "h" + h;
            String outside = prefix + "s" + h;
            run("ip", "link", "add", inside, "netns", host, "type", "veth", "peer", "name", outside, "netns", sw);
            run("ip", "-n", host, "addr", "add", address(h) + "/24", "dev", inside);
            run("ip", "-n", host, "link", "set", inside, "up");
            run("ip", "-n", host, "link", "set", "lo", "up");
            run("ip", "-n", sw, "link", "set", outside, "master", "br0");
            run("ip", "-n", sw, "link", "set", outside, "up");
            shapedLinks.add(new String[] {host, inside});
            shapedLinks.add(new String[] {sw, outside});
        }
    }

    private void add(String namespace) throws IOException, InterruptedException {
        run("ip", "netns", "add", namespace);
        created.add(namespace);
    }

    private String namespace(String role) {
        return prefix + role;
    }

    String serverNamespace() {
        return namespace("ps");
    }

    String workerNamespace(int worker) {
        return namespace("w" + worker);
    }

    /** The server's address (host 0) or worker {@code h - 1}'s. */
    static String address(int host) {
        return SUBNET + (host + 1);
    }

    static String serverAddress() {
        return address(0);
    }

    /** The command prefix that runs a program inside {@code namespace}. */
    static List<String> exec(String namespace) {
        return List.of("ip", "netns", "exec", namespace);
    }

    /**
     * Shapes every link to {@code mbits} Mbit/s with a one-way host-to-host delay of {@code delayMs}
     * (each of the path's two links adds half, both directions); {@code mbits <= 0} removes the shaping.
     */
    void shape(double mbits, double delayMs) throws IOException, InterruptedException {
        for (String[] link : shapedLinks) {
            String ns = link[0];
            String dev = link[1];
            runQuietly("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root");
            if (mbits <= 0) {
                continue;
            }
            String rate = String.format(Locale.ROOT, "%.0fkbit", mbits * 1000);
            if (netem && runQuietly("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "netem", "rate",
                    rate, "delay", String.format(Locale.ROOT, "%.3fms", delayMs / 2), "limit", "100000")) {
                continue;
            }
            netem = false;
            // A bucket of at least 1 ms of traffic (and 64 KB, a full GSO segment), queueing up to 100 ms.
            long burst = Math.max(64 * 1024, (long) (mbits * 1e6 / 8 / 1000));
            run("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", rate, "burst",
                    Long.toString(burst), "latency", "100ms");
        }
    }

    /** Whether the added delay is real (netem); false when only the rate is shaped (tbf). */
    boolean delayEmulated() {
        return netem;
    }

    /** The server link's qdisc statistics (what the shaper sent and held back), for the record. */
    String serverLinkStatistics() {
        try {
            return output("ip", "netns", "exec", serverNamespace(), "tc", "-s", "qdisc", "show", "dev", prefix + "h0")
                    .replaceAll("\\s+", " ").trim();
        } catch (IOException | InterruptedException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    /** Deletes every namespace this object created (their interfaces go with them). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                runQuietly("ip", "netns", "del", created.get(i));
            } catch (IOException | InterruptedException e) {
                System.err.println("lamina: could not delete network namespace " + created.get(i) + ": " + e);
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out);
        }
    }

    private static boolean runQuietly(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
