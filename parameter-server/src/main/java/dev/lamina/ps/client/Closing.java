package dev.lamina.ps.client;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** Closing several connections: every one is closed; the first failure is thrown, the others suppressed in it. */
final class Closing {

    private Closing() {
    }

    static void closeAll(List<? extends Closeable> items) throws IOException {
        IOException first = null;
        for (Closeable c : items) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
