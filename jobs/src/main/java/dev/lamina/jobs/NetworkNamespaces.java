package dev.lamina.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An emulated network of real hosts on this machine: one Linux network namespace for the parameter
 * server and one per worker, each joined by a veth pair to a bridge in a switch namespace of its own,
 * so that all traffic between them stays inside namespaces this object made (nothing touches the
 * root namespace's interfaces). Links are shaped on both ends of every link: with
 * {@code netem rate R delay D/2} where the kernel has {@code sch_netem} (a host-to-host path then has
 * rate R and one-way delay D). Without it the rate is a token bucket ({@code tbf rate R}) and the delay
 * comes from {@code tapdelay} (a small C program in this package's resources, built with the machine's
 * {@code cc}): the server's veth pair is replaced by two TAP devices it forwards between, holding every
 * frame D in each direction, so every worker-to-server path again has one-way delay D (worker-to-worker
 * paths have none; workers only talk to the server). With neither netem nor a C compiler no delay is
 * added, which {@link #delayEmulated()} and {@link #shaper()} report. Needs root and iproute2
 * ({@code ip}, {@code tc}). {@link #close()} stops the relay and deletes the namespaces (and with them
 * every interface in them), also after a failure.
 */
final class NetworkNamespaces implements AutoCloseable {
    private static final String SUBNET = "10.213.0.";

    private final String prefix;
    private final int workers;
    private final List<String> created = new ArrayList<>();
    private final List<String[]> shapedLinks = new ArrayList<>();
    private final Path logs;
    private boolean netem;
    /** The built relay program, or null before it is needed; {@link #relayUnavailable} says why it cannot be. */
    private Path relayProgram;
    private String relayUnavailable;
    /** The relay now forwarding the server's link (null: the server's link is a veth pair), and its delay. */
    private LineProcess relay;
    private double relayDelayMs;
    private boolean closed;

    private NetworkNamespaces(String prefix, int workers, Path logs) {
        this.prefix = prefix;
        this.workers = workers;
        this.logs = logs;
    }

    /**
     * Creates the namespaces, links and addresses for a server and {@code workers} workers; the delay
     * relay, when one runs, builds in and logs to {@code logs}.
     */
    static NetworkNamespaces create(int workers, Path logs) throws IOException, InterruptedException {
        if (workers < 1 || workers > 50) {
            throw new IllegalArgumentException("workers : " + workers + " (expected: in [1, 50])");
        }
        NetworkNamespaces n = new NetworkNamespaces("lam" + ProcessHandle.current().pid() % 100000, workers, logs);
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
            run("ip", "-n", host, "link", "set", "lo", "up");
            run("ip", "link", "add", inside(h), "netns", host, "type", "veth", "peer", "name", outside(h), "netns", sw);
            attach(h);
            shapedLinks.add(new String[] {host, inside(h)});
            shapedLinks.add(new String[] {sw, outside(h)});
        }
        netem = runQuietly("ip", "netns", "exec", sw, "tc", "qdisc", "add", "dev", outside(0), "root", "netem", "delay",
                "1ms");
        runQuietly("ip", "netns", "exec", sw, "tc", "qdisc", "del", "dev", outside(0), "root");
    }

    /** Host h's end of its link (in its namespace) and the switch's end (a port of the bridge). */
    private String inside(int h) {
        return prefix + "h" + h;
    }

    private String outside(int h) {
        return prefix + "s" + h;
    }

    /** Addresses host h's end of its link, makes the other end a bridge port, and brings both up. */
    private void attach(int h) throws IOException, InterruptedException {
        String host = h == 0 ? serverNamespace() : workerNamespace(h - 1);
        String sw = namespace("sw");
        run("ip", "-n", host, "addr", "add", address(h) + "/24", "dev", inside(h));
        run("ip", "-n", host, "link", "set", inside(h), "up");
        run("ip", "-n", sw, "link", "set", outside(h), "master", "br0");
        run("ip", "-n", sw, "link", "set", outside(h), "up");
    }

    /**
     * Makes the server's link a veth pair ({@code delayMs <= 0}) or a pair of TAP devices forwarded by
     * the relay with {@code delayMs} each way; nothing to do when it already is.
     */
    private void serverLink(double delayMs) throws IOException, InterruptedException {
        if (delayMs <= 0 ? relay == null : relay != null && relayDelayMs == delayMs) {
            return;
        }
        if (relay != null) {
            relay.close(); // its TAP devices go with it
            relay = null;
        } else {
            run("ip", "-n", serverNamespace(), "link", "del", inside(0));
        }
        String sw = namespace("sw");
        if (delayMs <= 0) {
            run("ip", "link", "add", inside(0), "netns", serverNamespace(), "type", "veth", "peer", "name", outside(0),
                    "netns", sw);
        } else {
            List<String> command = new ArrayList<>(exec(sw));
            command.addAll(List.of(relayProgram.toString(), inside(0), outside(0),
                    Long.toString(Math.round(delayMs * 1000))));
            relay = LineProcess.command("tapdelay", command, logs.resolve("tapdelay.log").toFile());
            relayDelayMs = delayMs;
            relay.expect("ready", java.time.Duration.ofSeconds(10));
            run("ip", "-n", sw, "link", "set", inside(0), "netns", serverNamespace());
        }
        attach(0);
        // The server's address now has another MAC: forget the old one everywhere, or the workers keep
        // sending to it until their neighbour entries go stale (tens of seconds, longer than a run waits).
        for (int h = 0; h <= workers; h++) {
            run("ip", "-n", h == 0 ? serverNamespace() : workerNamespace(h - 1), "neigh", "flush", "all");
        }
    }

    /** Builds the relay from its C source once; false (and the reason kept) when it cannot be built. */
    private boolean relayBuilt() throws InterruptedException {
        if (relayProgram != null || relayUnavailable != null) {
            return relayProgram != null;
        }
        try (InputStream source = NetworkNamespaces.class.getResourceAsStream("tapdelay.c")) {
            if (source == null) {
                throw new IOException("tapdelay.c is not on the class path");
            }
            Path c = logs.resolve("tapdelay.c");
            Files.copy(source, c, StandardCopyOption.REPLACE_EXISTING);
            Path program = logs.resolve("tapdelay");
            run("cc", "-O2", "-o", program.toString(), c.toString());
            relayProgram = program;
            return true;
        } catch (IOException e) {
            relayUnavailable = "the delay relay could not be built (" + e.getMessage() + ")";
            return false;
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
     * Shapes every link to {@code mbits} Mbit/s with a one-way server-to-worker delay of
     * {@code delayMs} (both directions); {@code mbits <= 0} removes the shaping and the delay.
     */
    void shape(double mbits, double delayMs) throws IOException, InterruptedException {
        boolean relayed = mbits > 0 && delayMs > 0 && !netem && relayBuilt();
        serverLink(relayed ? delayMs : 0);
        for (String[] link : shapedLinks) {
            String ns = link[0];
            String dev = link[1];
            runQuietly("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root");
            if (mbits <= 0) {
                continue;
            }
            String rate = String.format(Locale.ROOT, "%.0fkbit", mbits * 1000);
            if (netem) {
                run("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "netem", "rate", rate, "delay",
                        String.format(Locale.ROOT, "%.3fms", delayMs / 2), "limit", "100000");
                continue;
            }
            // A bucket of at least 1 ms of traffic (and 64 KB, a full GSO segment), queueing up to 100 ms.
            long burst = Math.max(64 * 1024, (long) (mbits * 1e6 / 8 / 1000));
            run("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", rate, "burst",
                    Long.toString(burst), "latency", "100ms");
        }
    }

    /** Whether the links' delay is real (netem, or the relay on the server's link). */
    boolean delayEmulated() {
        return netem || relay != null;
    }

    /**
     * What shapes shaped links now: {@code netem}, {@code tbf+tapdelay} (rate by tbf, delay by the relay)
     * or {@code tbf} (no delay added).
     */
    String shaper() {
        return netem ? "netem" : relay != null ? "tbf+tapdelay" : "tbf";
    }

    /** Why no delay is added when the kernel has no netem ({@code null} when it is). */
    String noDelayReason() {
        if (delayEmulated()) {
            return null;
        }
        return "sch_netem is not available in this kernel and " + (relayUnavailable != null ? relayUnavailable
                : "no delay was asked for");
    }

    /** The server link's qdisc statistics (what the shaper sent and held back), for the record. */
    String serverLinkStatistics() {
        try {
            return output("ip", "netns", "exec", serverNamespace(), "tc", "-s", "qdisc", "show", "dev", inside(0))
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
        if (relay != null) {
            relay.close();
            relay = null;
        }
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
