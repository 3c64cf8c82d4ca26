package dev.lamina.ps.compress;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@code topk}: the k = ceil(ratio * n) entries of largest magnitude (at most max(1, n / 2), beyond which
 * the dense encoding is smaller), as {@code int k, int index[k], float value[k]} with strictly
 * ascending indices; every other entry decodes to zero. Zero entries are never sent, so k may be smaller.
 * The k-th largest magnitude is found by quickselect on a scratch copy (expected O(n), no sort), which
 * is allocated once per instance and reused.
 */
final class TopkCodec implements PushCodec {
    private final double ratio;
    private float[] magnitudes = new float[0];

    TopkCodec(double ratio) {
        if (!(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("topkRatio : " + ratio + " (expected: in (0, 1])");
        }
        this.ratio = ratio;
    }

    @Override
    public int id() {
        return 3;
    }

    @Override
    public String name() {
        return "topk";
    }

    @Override
    public boolean errorFeedback() {
        return true;
    }

    /** How many entries an encoding of {@code count} values sends at most. */
    int k(int count) {
        return (int) Math.min(Math.max(1, count / 2), Math.ceil(ratio * count));
    }

    @Override
    public void encode(float[] values, ByteBuffer dst) {
        int n = values.length;
        int k = Math.min(n, k(n));
        if (magnitudes.length != n) {
            magnitudes = new float[n];
        }
        for (int i = 0; i < n; i++) {
            magnitudes[i] = Math.abs(values[i]);
        }
        float cut = k == 0 ? Float.POSITIVE_INFINITY : select(magnitudes, 0, n - 1, n - k);
        int above = 0;
        for (int i = 0; i < n; i++) {
            above += Math.abs(values[i]) > cut ? 1 : 0;
        }
        int ties = cut > 0 ? k - above : 0;
        int sent = above + ties;
        int at = dst.position();
        dst.putInt(at, sent);
        int index = at + 4;
        int value = index + 4 * sent;
        for (int i = 0; i < n; i++) {
            float m = Math.abs(values[i]);
            if (m > cut || (m == cut && ties-- > 0)) {
                dst.putInt(index, i);
                dst.putFloat(value, values[i]);
                index += 4;
                value += 4;
            }
        }
        dst.position(at + 4 + 8 * sent);
    }

    /**
     * The value that would sit at {@code target} if {@code a[lo..hi]} were sorted ascending; reorders
     * {@code a}. Hoare partitioning around a median of three, which also splits runs of equal values
     * (many exact zeros in a gradient) evenly.
     */
    static float select(float[] a, int lo, int hi, int target) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            float pivot = Math.max(Math.min(a[lo], a[mid]), Math.min(Math.max(a[lo], a[mid]), a[hi]));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        return a[lo];
    }

    @Override
    public void decode(ByteBuffer src, float[] dst) {
        if (src.remaining() < 4) {
            throw new IllegalArgumentException("topk payload : " + src.remaining() + " bytes (expected: >= 4)");
        }
        int at = src.position();
        int sent = src.getInt(at);
        if (sent < 0 || sent > dst.length) {
            throw new IllegalArgumentException("topk count : " + sent + " (expected: in [0, " + dst.length + "])");
        }
        PushCodecs.checkBytes(name(), src.remaining(), 4 + 8L * sent, dst.length);
        Arrays.fill(dst, 0f);
        int previous = -1;
        for (int e = 0; e < sent; e++) {
            int index = src.getInt(at + 4 + 4 * e);
            if (index <= previous || index >= dst.length) {
                throw new IllegalArgumentException("topk index[" + e + "] : " + index + " (expected: in ("
                        + previous + ", " + dst.length + "), strictly ascending)");
            }
            dst[index] = src.getFloat(at + 4 + 4 * sent + 4 * e);
            previous = index;
        }
        src.position(src.limit());
    }
}
