package dev.lamina.driver.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Extracts selected regular files from a gzip-compressed tar archive, such as an npm tarball.
 *
 * <p>Reads POSIX ustar headers (512-byte blocks, octal sizes, the {@code prefix} field for long
 * names), PAX extended headers ({@code path} and {@code size}) and GNU long names ({@code L}).
 * Only regular files are extracted; directories, links and other entries are skipped. Every entry
 * name is checked: an absolute name or one with a {@code ..} segment fails the whole extraction.
 * Each file is written to a temporary file beside its target and renamed into place atomically.
 */
public final class TarGz {

    private static final int BLOCK = 512;
    /** Largest file this reader extracts: 1 GiB. */
    static final long MAX_ENTRY_BYTES = 1L << 30;
    /** Largest PAX or GNU long-name header accepted. */
    private static final int MAX_META_BYTES = 1 << 16;

    private TarGz() {
    }

    /**
     * Extracts the entries named in {@code entryNames} (full names inside the archive, such as
     * {@code package/data/train-labels-idx1-ubyte}) into {@code targetDir}, each under its base
     * name ({@code train-labels-idx1-ubyte}).
     *
     * @return entry name to extracted file, one per requested name
     * @throws IOException if the archive is corrupt, holds an unsafe entry name, or lacks a
     *                     requested entry (the message lists the missing names)
     */
    public static Map<String, Path> extract(Path archive, Set<String> entryNames, Path targetDir) throws IOException {
        Map<String, String> baseNames = baseNames(entryNames);
        Files.createDirectories(targetDir);
        Map<String, Path> extracted = new HashMap<>();
        try (InputStream in = new BufferedInputStream(
                new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
            TarStream tar = new TarStream(in, archive);
            Entry entry;
            while ((entry = tar.next()) != null) {
                String base = baseNames.get(entry.name);
                if (entry.regularFile && base != null) {
                    Path target = targetDir.resolve(base);
                    tar.copyData(entry, target);
                    extracted.put(entry.name, target);
                } else {
                    tar.skipData(entry);
                }
            }
        }
        if (extracted.size() != entryNames.size()) {
            Set<String> missing = new TreeSet<>(entryNames);
            missing.removeAll(extracted.keySet());
            throw new IOException("entries not found in " + archive + ": " + missing);
        }
        return extracted;
    }

    private static Map<String, String> baseNames(Set<String> entryNames) {
        Map<String, String> baseNames = new HashMap<>();
        Map<String, String> seen = new HashMap<>();
        for (String name : entryNames) {
            checkName(name, "requested entry");
            String base = name.substring(name.lastIndexOf('/') + 1);
            if (base.isEmpty()) {
                throw new IllegalArgumentException("requested entry : " + name + " (expected: a file name)");
            }
            String other = seen.put(base, name);
            if (other != null) {
                throw new IllegalArgumentException("requested entries share a base name: " + other + ", " + name);
            }
            baseNames.put(name, base);
        }
        return baseNames;
    }

    /** Rejects absolute names and {@code ..} segments (path traversal). */
    static void checkName(String name, String what) {
        boolean absolute = name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*");
        boolean parent = List.of(name.split("[/\\\\]")).contains("..");
        if (name.isEmpty() || absolute || parent || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("unsafe " + what + " : " + name
                    + " (expected: a relative path without '..')");
        }
    }

    /** One header: the resolved name, the data size and whether it is a regular file. */
    private record Entry(String name, long size, boolean regularFile) {
    }

    /** Walks the headers of one tar stream. */
    private static final class TarStream {
        private final InputStream in;
        private final Path archive;
        private final byte[] header = new byte[BLOCK];

        TarStream(InputStream in, Path archive) {
            this.in = in;
            this.archive = archive;
        }

        /** The next file, directory or link entry, or {@code null} at the end of the archive. */
        Entry next() throws IOException {
            String longName = null;
            Long paxSize = null;
            while (true) {
                int n = in.readNBytes(header, 0, BLOCK);
                if (n == 0 || (n == BLOCK && isZero(header))) {
                    return null;
                }
                if (n != BLOCK) {
                    throw new IOException("truncated tar header : " + n + " bytes (expected: " + BLOCK + ") in "
                            + archive);
                }
                checkChecksum();
                char type = (char) header[156];
                long size = paxSize != null ? paxSize : parseSize();
                if (type == 'x' || type == 'g' || type == 'L') {
                    byte[] meta = readMeta(size, type);
                    if (type == 'L') {
                        longName = trimNul(new String(meta, StandardCharsets.UTF_8));
                    } else if (type == 'x') {
                        Map<String, String> pax = parsePax(meta);
                        longName = pax.getOrDefault("path", longName);
                        if (pax.containsKey("size")) {
                            paxSize = parsePaxSize(pax.get("size"));
                        }
                    }
                    continue;
                }
                String name = longName != null ? longName : ustarName();
                try {
                    checkName(name, "tar entry name");
                } catch (IllegalArgumentException e) {
                    throw new IOException(e.getMessage() + " in " + archive, e);
                }
                return new Entry(name, size, type == '0' || type == '\0' || type == '7');
            }
        }

        void copyData(Entry entry, Path target) throws IOException {
            if (entry.size > MAX_ENTRY_BYTES) {
                throw new IOException("tar entry size : " + entry.size + " bytes for " + entry.name
                        + " (expected: <= " + MAX_ENTRY_BYTES + ") in " + archive);
            }
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    copy(entry, out);
                }
                CacheFiles.makeReadable(tmp);
                CacheFiles.moveAtomically(tmp, target);
            } catch (IOException | RuntimeException e) {
                CacheFiles.deleteQuietly(tmp, e);
                throw e;
            }
            skipPadding(entry.size);
        }

        private void copy(Entry entry, OutputStream out) throws IOException {
            byte[] buffer = new byte[1 << 16];
            long left = entry.size;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("truncated tar entry " + entry.name + " : " + (entry.size - left)
                            + " bytes (expected: " + entry.size + ") in " + archive);
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }

        void skipData(Entry entry) throws IOException {
            skip(entry.size, entry.name);
            skipPadding(entry.size);
        }

        private void skipPadding(long size) throws IOException {
            skip((BLOCK - size % BLOCK) % BLOCK, "padding");
        }

        private void skip(long bytes, String what) throws IOException {
            try {
                in.skipNBytes(bytes);
            } catch (java.io.EOFException e) {
                throw new IOException("truncated tar entry " + what + " (expected: " + bytes + " more bytes) in "
                        + archive, e);
            }
        }

        private byte[] readMeta(long size, char type) throws IOException {
            if (size > MAX_META_BYTES) {
                throw new IOException("tar '" + type + "' header size : " + size + " bytes (expected: <= "
                        + MAX_META_BYTES + ") in " + archive);
            }
            byte[] data = in.readNBytes((int) size);
            if (data.length != size) {
                throw new IOException("truncated tar '" + type + "' header in " + archive);
            }
            skipPadding(size);
            return data;
        }

        /** PAX records: {@code "<length> <key>=<value>\n"}, length counting the whole record. */
        private Map<String, String> parsePax(byte[] bytes) throws IOException {
            Map<String, String> records = new HashMap<>();
            int pos = 0;
            while (pos < bytes.length && bytes[pos] != 0) {
                int space = indexOf(bytes, (byte) ' ', pos);
                int length = space < 0 ? -1 : parseDecimal(bytes, pos, space);
                if (length <= 0 || pos + length > bytes.length || bytes[pos + length - 1] != '\n') {
                    throw new IOException("malformed PAX record at byte " + pos + " in " + archive);
                }
                String record = new String(bytes, space + 1, pos + length - space - 2, StandardCharsets.UTF_8);
                int eq = record.indexOf('=');
                if (eq > 0) {
                    records.put(record.substring(0, eq), record.substring(eq + 1));
                }
                pos += length;
            }
            return records;
        }

        private long parsePaxSize(String value) throws IOException {
            try {
                long size = Long.parseLong(value.trim());
                if (size >= 0) {
                    return size;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw new IOException("PAX size : " + value + " (expected: a decimal >= 0) in " + archive);
        }

        private String ustarName() {
            String name = field(0, 100);
            boolean ustar = field(257, 5).equals("ustar");
            String prefix = ustar ? field(345, 155) : "";
            return prefix.isEmpty() ? name : prefix + "/" + name;
        }

        /** Size field: octal ASCII, or GNU base-256 when the first byte's top bit is set. */
        private long parseSize() throws IOException {
            if ((header[124] & 0x80) != 0) {
                long size = header[124] & 0x7F;
                for (int i = 125; i < 136; i++) {
                    if (size > (Long.MAX_VALUE >> 8)) {
                        throw new IOException("tar size field overflows in " + archive);
                    }
                    size = (size << 8) | (header[i] & 0xFF);
                }
                return size;
            }
            return parseOctal(124, 12, "size");
        }

        private void checkChecksum() throws IOException {
            long stored = parseOctal(148, 8, "checksum");
            long sum = 0;
            for (int i = 0; i < BLOCK; i++) {
                sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xFF);
            }
            if (sum != stored) {
                throw new IOException("tar header checksum : " + stored + " (expected: " + sum + ") for entry "
                        + field(0, 100) + " in " + archive);
            }
        }

        private long parseOctal(int offset, int length, String what) throws IOException {
            long value = 0;
            int i = offset;
            int end = offset + length;
            while (i < end && (header[i] == ' ' || header[i] == 0)) {
                i++;
            }
            for (; i < end && header[i] != ' ' && header[i] != 0; i++) {
                int digit = header[i] - '0';
                if (digit < 0 || digit > 7 || value > (Long.MAX_VALUE >> 3)) {
                    throw new IOException("tar " + what + " field : '" + field(offset, length)
                            + "' (expected: octal digits) in " + archive);
                }
                value = (value << 3) | digit;
            }
            return value;
        }

        private String field(int offset, int length) {
            int end = offset;
            while (end < offset + length && header[end] != 0) {
                end++;
            }
            return new String(header, offset, end - offset, StandardCharsets.UTF_8);
        }

        private static String trimNul(String s) {
            int nul = s.indexOf('\0');
            return nul < 0 ? s : s.substring(0, nul);
        }

        private static boolean isZero(byte[] block) {
            for (byte b : block) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        private static int indexOf(byte[] bytes, byte b, int from) {
            for (int i = from; i < bytes.length; i++) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }

        private static int parseDecimal(byte[] bytes, int from, int to) {
            int value = 0;
            for (int i = from; i < to; i++) {
                int digit = bytes[i] - '0';
                if (digit < 0 || digit > 9 || value > MAX_META_BYTES) {
                    return -1;
                }
                value = value * 10 + digit;
            }
            return value;
        }
    }

    /** Collects the names of all regular files in an archive (for diagnostics and tests). */
    static List<String> list(Path archive) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive)))) {
            TarStream tar = new TarStream(in, archive);
            Entry entry;
            while ((entry = tar.next()) != null) {
                if (entry.regularFile) {
                    names.add(entry.name);
                }
                tar.skipData(entry);
            }
        }
        return names;
    }
}
