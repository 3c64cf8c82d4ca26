package dev.lamina.engine.autodiff;

/**
 * The primitive operations a graph is made of. Gradient rules for these live in one table,
 * {@link GradientRules}; an op without a rule cannot be differentiated through.
 */
public enum Op {
    /** Data fed in per step (features, labels). No gradient. */
    INPUT,
    /** A trainable tensor: a view into the model's flat parameter buffer. */
    PARAM,
    /** A tensor filled with one value (attribute {@code value}). */
    FILL,
    /** C = op(A) op(B) with attributes transA, transB. A, B and C are rank 2. */
    MATMUL,
    /** out[b, c] = x[b, c] + bias[c]. */
    ADD_BIAS,
    /** out = a + b, same shapes. */
    ADD,
    /** out = max(x, 0). */
    RELU,
    /** out = x > 0 ? g : 0, inputs (x, g). */
    RELU_BACKWARD,
    /** out[c] = sum over b of x[b, c]. */
    SUM_ROWS,
    /** out[b, :] = log softmax of x[b, :]. */
    LOG_SOFTMAX,
    /** out = g - exp(y) * sum(g) per row, inputs (y = log softmax output, g). */
    LOG_SOFTMAX_BACKWARD,
    /** Mean negative log-likelihood over rows: out[0] = -mean over b of logp[b, label[b]]; inputs (logp, labels). */
    NLL,
    /** out[b, c] = c == label[b] ? -g[0] / B : 0; inputs (labels, g), attribute {@code classes}. */
    NLL_BACKWARD,
    /** out = a * b, elementwise, same shapes. */
    MUL,
    /** out[0] = sum of every element of x. */
    SUM,
    /** out[i] = x[0]: a scalar broadcast to the node's shape. */
    EXPAND,
    /** out = x (a copy). */
    COPY
}
