package dev.lamina.jobs;

/**
 * Where results go.
 *
 * @param dir the model directory (local path or any Hadoop file system URL)
 */
public record OutputConfig(String dir) {

    public OutputConfig {
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException("output.dir : '" + dir + "' (expected: a directory path or URL)");
        }
    }
}
