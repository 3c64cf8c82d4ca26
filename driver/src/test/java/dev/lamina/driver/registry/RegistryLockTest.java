package dev.lamina.driver.registry;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry lock on the local file system with a hand-moved clock. */
class RegistryLockTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    private FileSystem fs() throws Exception {
        return ExclusiveFiles.plain(FileSystem.getLocal(new Configuration()));
    }

    private org.apache.hadoop.fs.Path lockFile() {
        return new org.apache.hadoop.fs.Path(dir.toUri().toString(), "lock");
    }

    @Test
    void aLiveLockRefusesASecondRunNamingTheHolder() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (RegistryLock first = RegistryLock.acquire(fs(), lockFile(), "nightly-1", TTL, clock)) {
            clock.advance(Duration.ofMinutes(9));
            RegistryLock.HeldException e = assertThrows(RegistryLock.HeldException.class,
                    () -> RegistryLock.acquire(fs(), lockFile(), "nightly-2", TTL, clock));
            assertTrue(e.getMessage().contains("held by run nightly-1") && e.getMessage().contains("2026-01-01T00:10:00Z"),
                    e.getMessage());
            assertDoesNotThrow(first::verifyHeld);
        }
        assertFalse(Files.exists(dir.resolve("lock")), "released");
        try (RegistryLock next = RegistryLock.acquire(fs(), lockFile(), "nightly-2", TTL, clock)) {
            next.verifyHeld();
        }
    }

    @Test
    void anExpiredLockIsTakenOverAndItsOldHolderStops() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RegistryLock dead = RegistryLock.acquire(fs(), lockFile(), "crashed", TTL, clock);
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        try (RegistryLock next = RegistryLock.acquire(fs(), lockFile(), "nightly-2", TTL, clock)) {
            next.verifyHeld();
            RegistryLock.HeldException e = assertThrows(RegistryLock.HeldException.class, dead::verifyHeld);
            assertTrue(e.getMessage().contains("no longer held") && e.getMessage().contains("nightly-2"), e.getMessage());
            assertThrows(RegistryLock.HeldException.class, dead::heartbeat);
            dead.close();   // releasing a lost lock leaves the new holder's file alone
            next.verifyHeld();
        }
    }

    @Test
    void aHeartbeatExtendsTheLock() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (RegistryLock lock = RegistryLock.acquire(fs(), lockFile(), "long-run", TTL, clock)) {
            clock.advance(Duration.ofMinutes(8));
            lock.heartbeat();
            clock.advance(Duration.ofMinutes(7));   // 15 minutes after taking it, 7 after the heartbeat
            assertThrows(RegistryLock.HeldException.class,
                    () -> RegistryLock.acquire(fs(), lockFile(), "other", TTL, clock));
            clock.advance(Duration.ofMinutes(4));   // 11 after the heartbeat
            try (RegistryLock other = RegistryLock.acquire(fs(), lockFile(), "other", TTL, clock)) {
                other.verifyHeld();
            }
        }
    }

    @Test
    void aNonPositiveTimeToLiveIsRefused() {
        MutableClock clock = new MutableClock(Instant.EPOCH);
        assertThrows(IllegalArgumentException.class,
                () -> RegistryLock.acquire(fs(), lockFile(), "x", Duration.ZERO, clock));
    }
}
