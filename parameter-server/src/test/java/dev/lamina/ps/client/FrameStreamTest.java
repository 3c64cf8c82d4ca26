package dev.lamina.ps.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.MessageType;
import dev.lamina.ps.protocol.ProtocolException;
import dev.lamina.ps.protocol.TestFrames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The client's framing over in-memory streams (no sockets). */
class FrameStreamTest {

    @Test
    void sentFramesDecode() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameStream stream = new FrameStream(new ByteArrayInputStream(new byte[0]), out);
        stream.limits(1024, 1024);
        float[] gradient = {1f, 2f, 3f};
        stream.send(11, new Message.PushGradient(1, 2, 3, 4, 5, gradient));
        stream.send(12, new Message.Pull());
        byte[] bytes = out.toByteArray();
        assertEquals(bytes.length, stream.bytesSent());
        Frame first = TestFrames.decode(java.util.Arrays.copyOf(bytes, FrameFormat.frameBytes(
                new Message.PushGradient(1, 2, 3, 4, 5, gradient))));
        assertEquals(11, first.requestId());
        assertArrayEquals(gradient, ((Message.PushGradient) first.message()).gradient());
    }

    @Test
    void rangesOfLargerArraysAreSentAndReceivedInPlace() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameStream sender = new FrameStream(new ByteArrayInputStream(new byte[0]), out);
        sender.limits(1024, 1024);
        float[] whole = {9f, 1f, 2f, 3f, 9f};
        sender.sendPush(21, 0, 1, 2, 3, 4, whole, 1, 3);
        assertArrayEquals(TestFrames.encode(21, new Message.PushGradient(0, 1, 2, 3, 4, new float[] {1f, 2f, 3f})),
                out.toByteArray());

        byte[] reply = TestFrames.encode(22, new Message.Params(7, new float[] {5f, 6f}));
        FrameStream receiver = new FrameStream(new ByteArrayInputStream(reply), new ByteArrayOutputStream());
        receiver.limits(1024, 1024);
        float[] dst = {0f, 0f, 0f, 0f};
        assertEquals(7, receiver.receiveParams(22, dst, 2, 2));
        assertArrayEquals(new float[] {0f, 0f, 5f, 6f}, dst);
        FrameStream wrong = new FrameStream(new ByteArrayInputStream(reply), new ByteArrayOutputStream());
        wrong.limits(1024, 1024);
        ProtocolException e = assertThrows(ProtocolException.class, () -> wrong.receiveParams(22, dst, 1, 3));
        assertEquals(ErrorCode.WRONG_SIZE, e.code());
        assertThrows(IndexOutOfBoundsException.class, () -> sender.sendPush(23, 0, 0, 0, 0, 0, whole, 3, 3));
    }

    @Test
    void compressedPushIsTheSameFrameAsTheMessage() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameStream stream = new FrameStream(new ByteArrayInputStream(new byte[0]), out);
        stream.limits(1024, 1024);
        byte[] encoded = {1, 2, 3, 4, 5, 6};
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(encoded);
        stream.sendCompressedPush(13, 1, 2, 3, 4, 5, 1, 3, buffer);
        assertEquals(6, buffer.remaining(), "the caller's buffer does not move");
        byte[] bytes = out.toByteArray();
        assertEquals(bytes.length, stream.bytesSent());
        Message.PushCompressed expected = new Message.PushCompressed(1, 2, 3, 4, 5, 1, 3, encoded);
        assertArrayEquals(TestFrames.encode(13, expected), bytes);
        Message.PushCompressed decoded = assertInstanceOf(Message.PushCompressed.class,
                TestFrames.decode(bytes).message());
        assertArrayEquals(encoded, decoded.encoded());
        assertEquals(3, decoded.count());
        assertEquals(1, decoded.codecId());
    }

    @Test
    void paramsAreDecodedIntoTheCallersArray() throws IOException {
        float[] values = {0.5f, -1.5f, 7f};
        FrameStream stream = new FrameStream(new ByteArrayInputStream(TestFrames.encode(3,
                new Message.Params(42, values))), new ByteArrayOutputStream());
        float[] dst = new float[3];
        Frame frame = stream.receive(dst);
        Message.Params params = assertInstanceOf(Message.Params.class, frame.message());
        assertSame(dst, params.values());
        assertEquals(42, params.step());
        assertArrayEquals(values, dst);
    }

    @Test
    void paramsOfAnotherSizeAreRefused() {
        FrameStream stream = new FrameStream(new ByteArrayInputStream(TestFrames.encode(3,
                new Message.Params(1, new float[4]))), new ByteArrayOutputStream());
        ProtocolException e = assertThrows(ProtocolException.class, () -> stream.receive(new float[3]));
        assertEquals(ErrorCode.WRONG_SIZE, e.code());
    }

    @Test
    void oversizedFrameIsRefusedAfterReadingOnlyItsHeader() {
        byte[] header = TestFrames.header(FrameFormat.MAGIC, 1, MessageType.PARAMS.id(), 1, Integer.MAX_VALUE - 100);
        byte[] wire = java.util.Arrays.copyOf(header, header.length + 100);
        ByteArrayInputStream in = new ByteArrayInputStream(wire);
        FrameStream stream = new FrameStream(in, new ByteArrayOutputStream());
        stream.limits(1024, 1024);
        ProtocolException e = assertThrows(ProtocolException.class, () -> stream.receive(null));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        assertEquals(100, in.available(), "nothing past the header was read");
    }

    @Test
    void corruptedFrameIsRefused() {
        byte[] bytes = TestFrames.encode(3, new Message.Params(1, new float[4]));
        bytes[bytes.length - 1] ^= 0x40;
        FrameStream stream = new FrameStream(new ByteArrayInputStream(bytes), new ByteArrayOutputStream());
        assertEquals(ErrorCode.BAD_CHECKSUM,
                assertThrows(ProtocolException.class, () -> stream.receive(new float[4])).code());
    }

    @Test
    void truncatedFrameIsAnEof() {
        byte[] bytes = TestFrames.encode(3, new Message.Params(1, new float[4]));
        FrameStream stream = new FrameStream(new ByteArrayInputStream(java.util.Arrays.copyOf(bytes, 25)),
                new ByteArrayOutputStream());
        assertThrows(EOFException.class, () -> stream.receive(new float[4]));
    }

    @Test
    void exceptionCarriesItsCode() {
        ParameterServerException e = new ParameterServerException(ErrorCode.TIMEOUT, "step 3 timed out");
        assertEquals(ErrorCode.TIMEOUT, e.code());
        assertEquals("TIMEOUT: step 3 timed out", e.getMessage());
        assertEquals(true, e.retriable());
    }
}
