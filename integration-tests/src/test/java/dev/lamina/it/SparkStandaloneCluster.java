package dev.lamina.it;

import dev.lamina.engine.io.Json;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Spark standalone cluster on 127.0.0.1: one Master and N Workers, each a separate JVM
 * started from the Maven jars on this JVM's class path, plus {@code SparkSubmit} JVMs that run
 * applications on it. Spark picks every port itself (port 0) and the cluster reads the ports back
 * from the logs, so concurrent builds on the same machine cannot collide.
 *
 * <p>The cluster's class path is this JVM's {@code java.class.path} without the project's own
 * classes and jars (Spark, Hadoop, Netty and the rest stay): as on a real cluster, Lamina reaches the
 * driver and the executors only inside the application jar. Workers hand that class path to their
 * executors through {@code SPARK_DIST_CLASSPATH}, the variable Spark's "Hadoop free" builds use.
 *
 * <p>Every process is killed in {@link #close()} (descendants first, then the process, then waited
 * for), also when starting failed. Logs stay in the cluster directory for inspection.
 */
final class SparkStandaloneCluster implements AutoCloseable {
    /** The JVM options the engine and Spark need (the parent pom's {@code lamina.jvm.options}). */
    static final String JVM_OPTIONS_PROPERTY = "lamina.jvm.options";
    static final String HOST = "127.0.0.1";

    private static final Pattern MASTER_PORT = Pattern.compile("Successfully started service 'sparkMaster' on port (\\d+)");
    private static final Pattern MASTER_UI_PORT = Pattern.compile("Successfully started service 'MasterUI' on port (\\d+)");
    private static final Pattern WORKER_UI_PORT = Pattern.compile("Successfully started service 'WorkerUI' on port (\\d+)");
    private static final Pattern EXECUTOR_PID = Pattern.compile("Started daemon with process name: (\\d+)@");
    private static final Pattern APP_ID = Pattern.compile("Connected to Spark cluster with app ID (app-\\d+-\\d+)");
    /** Master and Workers only schedule: a small heap, one GC thread and the quick JIT keep them off the 2 cores. */
    private static final String DAEMON_HEAP = "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dir;
    private final Path sparkHome;
    private final String classPath;
    private final List<String> jvmOptions;
    private final List<JvmProcess> processes = new ArrayList<>();
    private final List<JvmProcess> workers = new ArrayList<>();
    private final List<Integer> workerUiPorts = new ArrayList<>();
    private int masterPort;
    private int masterUiPort;

    private SparkStandaloneCluster(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.sparkHome = this.dir.resolve("spark-home");
        Files.createDirectories(sparkHome.resolve("jars"));
        Files.createDirectories(this.dir.resolve("local"));
        this.classPath = clusterClassPath();
        this.jvmOptions = jvmOptions();
    }

    /**
     * Starts a Master and {@code workerCount} Workers of {@code cores} cores and {@code memoryMb} MiB
     * each in {@code dir}, and waits until every Worker has registered with the Master.
     */
    static SparkStandaloneCluster start(Path dir, int workerCount, int cores, int memoryMb, Duration timeout)
            throws IOException, InterruptedException {
        SparkStandaloneCluster cluster = new SparkStandaloneCluster(dir);
        try {
            JvmProcess master = cluster.launch("master", DAEMON_HEAP, "org.apache.spark.deploy.master.Master",
                    List.of("--host", HOST, "--port", "0", "--webui-port", "0"), Map.of());
            cluster.masterPort = Integer.parseInt(cluster.awaitLog(master, MASTER_PORT, timeout));
            for (int i = 0; i < workerCount; i++) {
                cluster.startWorker(i, cores, memoryMb);
            }
            cluster.masterUiPort = Integer.parseInt(cluster.awaitLog(master, MASTER_UI_PORT, timeout));
            cluster.awaitWorkers(workerCount, timeout);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The application jar the reactor's package phase built, relative to the integration-tests module. */
    static Path applicationJar() {
        Path jar = Path.of("..", "jobs", "target", "lamina-jobs-app.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("application jar " + jar + " not found (expected: built by the jobs"
                    + " module's package phase; run the integration tests through the reactor, e.g. mvn -pl"
                    + " integration-tests -am verify)");
        }
        return jar;
    }

    String masterUrl() {
        return "spark://" + HOST + ":" + masterPort;
    }

    Path dir() {
        return dir;
    }

    /** Worker {@code i}'s work directory: {@code <app id>/<executor id>/stderr} holds each executor's log. */
    Path workerDir(int i) {
        return dir.resolve("worker-" + i);
    }

    JvmProcess worker(int i) {
        return workers.get(i);
    }

    /**
     * The executor JVM that Worker {@code i} runs for {@code appId}: its id comes from the Worker's
     * {@code /json/}, its pid from the executor's own log ("Started daemon with process name:
     * pid@host"), and it must be a child process of that Worker.
     */
    Executor executor(int i, String appId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Map<?, ?>> running = List.of();
        while (System.nanoTime() < deadline) {
            running = ofApp(workerState(i).get("executors"), appId);
            if (running.size() == 1) {
                String id = String.valueOf(running.get(0).get("id"));
                Path log = workerDir(i).resolve(appId).resolve(id).resolve("stderr");
                Matcher m = EXECUTOR_PID.matcher(read(log));
                if (m.find()) {
                    long pid = Long.parseLong(m.group(1));
                    ProcessHandle handle = workers.get(i).process().children().filter(h -> h.pid() == pid).findFirst()
                            .orElseThrow(() -> new AssertionError("executor " + id + " of " + appId + " logged pid "
                                    + pid + " (expected: a child process of worker " + i + ")"));
                    return new Executor(id, handle, log);
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("running executors of " + appId + " on worker " + i + ": " + running + " after "
                + timeout.toSeconds() + " s (expected: one that logged its pid)" + diagnostics());
    }

    /**
     * Worker {@code i}'s finished executors of {@code appId}, once it has moved every executor of that
     * application out of its running list. The Master marks an application finished as soon as its
     * driver stops; each Worker kills that application's executors and lists them as finished only when
     * the executor process has exited, a moment later. Waits up to {@code timeout} for that.
     */
    List<Map<?, ?>> finishedExecutors(int i, String appId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Object> state = workerState(i);
            List<Map<?, ?>> running = ofApp(state.get("executors"), appId);
            List<Map<?, ?>> finished = ofApp(state.get("finishedexecutors"), appId);
            if ((running.isEmpty() && !finished.isEmpty()) || System.nanoTime() >= deadline) {
                if (!running.isEmpty()) {
                    throw new AssertionError("executors of " + appId + " still running on worker " + i + " "
                            + timeout.toSeconds() + " s after the application ended: " + running);
                }
                return finished;
            }
            Thread.sleep(200);
        }
    }

    /** The entries of a Worker's executor list ({@code /json/}) that belong to {@code appId}. */
    private static List<Map<?, ?>> ofApp(Object executors, String appId) {
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object e : (List<?>) executors) {
            if (appId.equals(((Map<?, ?>) e).get("appid"))) {
                out.add((Map<?, ?>) e);
            }
        }
        return out;
    }

    /** An executor JVM under a Worker: its id within the application, its process, its log. */
    record Executor(String id, ProcessHandle process, Path log) {
    }

    /** The Master's state ({@code /json/}: workers, active and completed applications). */
    Map<String, Object> masterState() {
        return getJson(masterUiPort);
    }

    /** Worker {@code i}'s state ({@code /json/}: its running and finished executors). */
    Map<String, Object> workerState(int i) {
        return getJson(workerUiPorts.get(i));
    }

    /**
     * Starts {@code SparkSubmit} against this cluster in client mode (the driver runs in that JVM):
     * {@code args} are spark-submit's options after {@code --master}, then the jar and its arguments.
     */
    JvmProcess submit(String name, String driverHeap, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("--master", masterUrl(), "--deploy-mode", "client",
                "--conf", "spark.driver.host=" + HOST,
                "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", jvmOptions)));
        command.addAll(args);
        return launch(name, "-Xmx" + driverHeap, "org.apache.spark.deploy.SparkSubmit", command, Map.of());
    }

    /** The application id a driver's log announces, waiting for it up to {@code timeout}. */
    String awaitAppId(JvmProcess driver, Duration timeout) throws InterruptedException {
        return awaitLog(driver, APP_ID, timeout);
    }

    /** The last lines of every process's log, for failure messages. */
    String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (JvmProcess p : processes) {
            sb.append("\n----- ").append(p.name()).append(" (").append(p.alive() ? "running" : "exited "
                    + p.process().exitValue()).append("), last lines of ").append(p.log()).append(" -----\n")
                    .append(p.tail(40));
        }
        return sb.toString();
    }

    /** Kills every process this cluster started, newest first, each with its descendants. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).kill();
        }
    }

    private void startWorker(int i, int cores, int memoryMb) throws IOException {
        Files.createDirectories(workerDir(i));
        JvmProcess worker = launch("worker-" + i, DAEMON_HEAP, "org.apache.spark.deploy.worker.Worker",
                List.of("--host", HOST, "--port", "0", "--webui-port", "0", "--cores", Integer.toString(cores),
                        "--memory", memoryMb + "m", "--work-dir", workerDir(i).toString(), masterUrl()),
                Map.of("SPARK_DIST_CLASSPATH", classPath));
        workers.add(worker);
    }

    private void awaitWorkers(int count, Duration timeout) throws InterruptedException {
        for (JvmProcess worker : workers) {
            workerUiPorts.add(Integer.parseInt(awaitLog(worker, WORKER_UI_PORT, timeout)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long alive = 0;
        while (System.nanoTime() < deadline) {
            for (JvmProcess p : processes) {
                if (!p.alive()) {
                    throw new AssertionError(p.name() + " exited with status " + p.process().exitValue()
                            + " while waiting for " + count + " workers to register" + diagnostics());
                }
            }
            List<?> registered = (List<?>) masterState().get("workers");
            alive = registered.stream().filter(w -> "ALIVE".equals(((Map<?, ?>) w).get("state"))).count();
            if (alive == count) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("alive workers at " + masterUrl() + ": " + alive + " after " + timeout.toSeconds()
                + " s (expected: " + count + ")" + diagnostics());
    }

    /** Polls {@code p}'s log until {@code pattern} matches, and returns its first group. */
    private String awaitLog(JvmProcess p, Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(p.text());
            if (m.find()) {
                return m.group(1);
            }
            if (!p.alive()) {
                throw new AssertionError(p.name() + " exited with status " + p.process().exitValue() + " before its"
                        + " log showed /" + pattern + "/" + diagnostics());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(p.name() + "'s log did not show /" + pattern + "/ within "
                        + timeout.toSeconds() + " s" + diagnostics());
            }
            Thread.sleep(200);
        }
    }

    private JvmProcess launch(String name, String heap, String mainClass, List<String> args, Map<String, String> env)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(heap.split(" ")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dspark.master.rest.enabled=false", "-cp", classPath, mainClass));
        command.addAll(args);
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = pb.environment();
        environment.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("PYSPARK_"));
        environment.put("SPARK_HOME", sparkHome.toString());
        environment.put("SPARK_SCALA_VERSION", "2.13");
        environment.put("SPARK_LOCAL_IP", HOST);
        environment.put("SPARK_LOCAL_DIRS", dir.resolve("local").toString());
        environment.putAll(env);
        JvmProcess p = new JvmProcess(name, pb.start(), log);
        processes.add(p);
        return p;
    }

    private static Map<String, Object> getJson(int port) {
        URI uri = URI.create("http://" + HOST + ":" + port + "/json/");
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + ": HTTP " + r.statusCode() + " (expected: 200)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> state = (Map<String, Object>) Json.parse(r.body());
            return state;
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
    }

    /** A log file's text so far; empty while it does not exist yet. */
    static String read(Path log) {
        try {
            return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    /** This JVM's class path without the project's own outputs (they reach the cluster in the application jar). */
    private static String clusterClassPath() {
        Path project = Path.of("..").toAbsolutePath().normalize();
        Predicate<String> ours = e -> Path.of(e).toAbsolutePath().normalize().startsWith(project)
                || e.replace(File.separatorChar, '/').contains("/dev/lamina/");
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isBlank() && !ours.test(e)).collect(Collectors.joining(File.pathSeparator));
    }

    private static List<String> jvmOptions() {
        String options = System.getProperty(JVM_OPTIONS_PROPERTY);
        if (options == null || options.isBlank()) {
            throw new IllegalStateException("system property " + JVM_OPTIONS_PROPERTY + " : '" + options + "' (expected:"
                    + " the parent pom's JVM options, passed by failsafe's systemPropertyVariables)");
        }
        return List.of(options.trim().split("\\s+"));
    }

    /** One started JVM and the file its stdout and stderr go to. */
    record JvmProcess(String name, Process process, Path log) {

        boolean alive() {
            return process.isAlive();
        }

        String text() {
            return read(log);
        }

        String tail(int lines) {
            String[] all = text().split("\n");
            return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length)) + "\n";
        }

        /** Waits up to {@code timeout} for the exit status; kills the process and fails on timeout. */
        int waitFor(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                String tail = tail(60);
                kill();
                throw new AssertionError(name + " still running after " + timeout.toSeconds() + " s (expected: to"
                        + " finish); last lines of " + log + ":\n" + tail);
            }
            return process.exitValue();
        }

        /** Kills the process's descendants (e.g. a Worker's executors), then the process, and waits for all. */
        void kill() {
            List<ProcessHandle> descendants = process.descendants().toList();
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            for (ProcessHandle h : descendants) {
                h.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> h).join();
            }
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    System.err.println(name + " (pid " + process.pid() + ") did not exit within 30 s of SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
