package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void defaultsAreValid() {
        ServerConfig config = ServerConfig.defaults(4);
        assertEquals(4, config.workers());
        assertEquals(0, config.port());
        assertEquals(8080, config.withPort(8080).port());
        assertEquals("127.0.0.1", config.withHost("127.0.0.1").host());
    }

    @Test
    void invalidFieldsAreNamedWithWhatWasExpected() {
        assertEquals("workers : 0 (expected: > 0)", message(() -> ServerConfig.defaults(0)));
        assertEquals("port : 70000 (expected: in [0, 65535])", message(() -> ServerConfig.defaults(1).withPort(70000)));
        assertEquals("stepTimeout : PT0S (expected: > 0)",
                message(() -> ServerConfig.defaults(1).withStepTimeout(Duration.ZERO)));
        assertEquals("host : \" \" (expected: a host name or address)",
                message(() -> ServerConfig.defaults(1).withHost(" ")));
        assertEquals("maxFrameBytes : 100 (expected: in [4096, 2147483583])",
                message(() -> ServerConfig.defaults(1).withMaxFrameBytes(100)));
    }

    private static String message(org.junit.jupiter.api.function.Executable executable) {
        return assertThrows(IllegalArgumentException.class, executable).getMessage();
    }
}
