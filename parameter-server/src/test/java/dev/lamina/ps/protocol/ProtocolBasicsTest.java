package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProtocolBasicsTest {

    @Test
    void errorCodesAreUniqueAndRoundTrip() {
        Set<Integer> seen = new HashSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(seen.add(code.code()), "duplicate code " + code.code());
            assertEquals(code, ErrorCode.forCode(code.code()));
        }
        assertEquals(ErrorCode.UNKNOWN, ErrorCode.forCode(10_000));
        assertEquals(ErrorCode.UNKNOWN, ErrorCode.forCode(-7));
    }

    @Test
    void errorCodesAreStable() {
        // Wire values: changing one breaks compatibility with deployed peers.
        assertEquals(1, ErrorCode.BAD_MAGIC.code());
        assertEquals(3, ErrorCode.FRAME_TOO_LARGE.code());
        assertEquals(9, ErrorCode.AUTH_FAILED.code());
        assertEquals(12, ErrorCode.NON_FINITE_VALUES.code());
        assertEquals(15, ErrorCode.TIMEOUT.code());
        assertTrue(ErrorCode.TIMEOUT.retriable());
        assertFalse(ErrorCode.AUTH_FAILED.retriable());
    }

    @Test
    void messageTypeIdsRoundTrip() {
        for (MessageType type : MessageType.values()) {
            assertEquals(type, MessageType.forId(type.id()));
        }
        assertFalse(MessageType.isKnown(0));
        assertThrows(IllegalArgumentException.class, () -> MessageType.forId(200));
    }

    @Test
    void secretsRoundTripThroughHex() {
        byte[] secret = Secrets.newSecret();
        assertEquals(Secrets.SECRET_BYTES, secret.length);
        assertArrayEquals(secret, Secrets.fromHex(Secrets.toHex(secret)));
        assertEquals("00ff10", Secrets.toHex(new byte[] {0, (byte) 0xFF, 0x10}));
        assertFalse(java.util.Arrays.equals(secret, Secrets.newSecret()));
        assertThrows(IllegalArgumentException.class, () -> Secrets.fromHex("abc"));
        assertThrows(IllegalArgumentException.class, () -> Secrets.fromHex("zz"));
    }

    @Test
    void shortSecretsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Authenticator(new byte[8]));
        assertEquals("secret : 8 bytes (expected: >= 16)", e.getMessage());
    }

    @Test
    void macsDependOnEveryInputAndOnTheDirection() {
        Authenticator auth = new Authenticator(Secrets.fromHex("000102030405060708090a0b0c0d0e0f"));
        byte[] a = new byte[Message.NONCE_BYTES];
        byte[] b = new byte[Message.NONCE_BYTES];
        b[0] = 1;
        byte[] client = auth.clientMac(a, b, 0);
        assertEquals(Message.MAC_BYTES, client.length);
        assertArrayEquals(client, auth.clientMac(a, b, 0));
        assertFalse(Authenticator.matches(client, auth.clientMac(a, b, 1)));
        assertFalse(Authenticator.matches(client, auth.clientMac(b, a, 0)));
        assertFalse(Authenticator.matches(client, auth.serverMac(b, a)));
        Authenticator other = new Authenticator(Secrets.fromHex("ff0102030405060708090a0b0c0d0e0f"));
        assertFalse(Authenticator.matches(client, other.clientMac(a, b, 0)));
    }

    @Test
    void longErrorMessagesAreTruncatedToFitBeforeAuth() {
        Message.Failure failure = new Message.Failure(ErrorCode.TIMEOUT, "€".repeat(10_000));
        assertEquals(Message.MAX_ERROR_CHARS, failure.message().length());
        assertTrue(FrameFormat.frameBytes(failure) <= FrameFormat.PRE_AUTH_MAX_FRAME_BYTES);
    }

    @Test
    void nonceLengthIsChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Message.Challenge(new byte[3]));
        assertEquals("serverNonce : 3 bytes (expected: 32)", e.getMessage());
        assertNotEquals(0, FrameFormat.pushFrameBytes(1));
    }
}
