package dev.lamina.jobs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Everything the jobs read from the process environment: system properties, variables, Spark. */
final class Environment {

    private Environment() {
    }

    /** $LAMINA_CACHE, else ~/.cache/lamina. */
    static String defaultCache() {
        String env = System.getenv("LAMINA_CACHE");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return Path.of(System.getProperty("user.home"), ".cache", "lamina").toString();
    }

    /** A session on {@code master} if given, else the master spark-submit set, else local[*]. */
    static SparkSession spark(String appName, String master) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (master != null) {
            builder.master(master);
        } else if (System.getProperty("spark.master") == null) {
            builder.master("local[*]");
        }
        return builder.getOrCreate();
    }

    /** Code version, JVM and OS, for model provenance. */
    static Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        Package pkg = Environment.class.getPackage();
        String version = pkg == null ? null : pkg.getImplementationVersion();
        p.put("codeVersion", version == null ? "dev" : version);
        p.put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        return p;
    }
}
