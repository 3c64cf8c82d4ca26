package dev.lamina.jobs;

/** How a job ends on an error: one clear line on stderr and a non-zero exit status. */
final class Jobs {
    /** Exit status for bad configuration or arguments. */
    static final int BAD_INPUT = 2;
    /** Exit status for any other failure. */
    static final int FAILED = 1;

    private Jobs() {
    }

    static void fail(String command, Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        boolean badInput = t instanceof IllegalArgumentException;
        System.err.println("lamina " + command + ": error: " + t.getMessage());
        if (root != t && root.getMessage() != null && !t.getMessage().contains(root.getMessage())) {
            System.err.println("  caused by: " + root);
        }
        if (!badInput) {
            t.printStackTrace(System.err);
        }
        System.exit(badInput ? BAD_INPUT : FAILED);
    }
}
