package dev.lamina.it;

import java.nio.file.Path;

/** The dataset cache the integration tests share: $LAMINA_CACHE, else ~/.cache/lamina (as bin/lamina uses). */
final class TestCache {

    private TestCache() {
    }

    static Path dir() {
        String env = System.getenv("LAMINA_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "lamina");
    }
}
