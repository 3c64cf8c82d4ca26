package dev.lamina.driver.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** A tiny ustar writer for tests: regular files, directories, PAX long names, gzip on close. */
final class TarFixture {

    private final ByteArrayOutputStream tar = new ByteArrayOutputStream();

    /** A regular file; names over 100 bytes go into the ustar prefix field when they fit there. */
    TarFixture file(String name, byte[] data) {
        if (name.length() > 100) {
            int slash = name.lastIndexOf('/', name.length() - 2);
            header(name.substring(slash + 1), name.substring(0, slash), data.length, '0');
        } else {
            header(name, "", data.length, '0');
        }
        body(data);
        return this;
    }

    /** A regular file whose name is carried by a PAX extended header (the ustar name is a stub). */
    TarFixture paxFile(String name, byte[] data) {
        String record = " path=" + name + "\n";
        int length = record.length() + 1;
        while (String.valueOf(length).length() + record.length() != length) {
            length = String.valueOf(length).length() + record.length();
        }
        byte[] pax = (length + record).getBytes(StandardCharsets.UTF_8);
        header("PaxHeader/stub", "", pax.length, 'x');
        body(pax);
        header("stub", "", data.length, '0');
        body(data);
        return this;
    }

    TarFixture directory(String name) {
        header(name, "", 0, '5');
        return this;
    }

    /** The archive with its two zero end blocks. */
    byte[] tarBytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(tar.toByteArray());
        copy.writeBytes(new byte[1024]);
        return copy.toByteArray();
    }

    /** Writes the gzip-compressed archive to {@code file}. */
    Path writeTo(Path file) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(tarBytes());
        }
        return file;
    }

    private void header(String name, String prefix, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, "0000644", 8);
        put(h, 108, "0000000", 8);
        put(h, 116, "0000000", 8);
        put(h, 124, String.format("%011o", size), 12);
        put(h, 136, "00000000000", 12);
        h[156] = (byte) type;
        put(h, 257, "ustar", 6);
        put(h, 263, "00", 2);
        put(h, 345, prefix, 155);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum), 7);
        tar.writeBytes(h);
    }

    private void body(byte[] data) {
        tar.writeBytes(data);
        tar.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }

    private static void put(byte[] h, int offset, String value, int max) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > max) {
            throw new IllegalArgumentException("tar field : " + value + " (expected: <= " + max + " bytes)");
        }
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }
}
