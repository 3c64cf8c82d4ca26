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
    COPY,

    // --- convolution family (ConvOps) ---
    /** 2-d cross-correlation of x [B, C, H, W] with w [O, C/groups, KH, KW]; ints (strideH, strideW, padH, padW, dilationH, dilationW, groups). */
    CONV2D,
    /** d x of CONV2D: inputs (upstream [B, O, OH, OW], w); the node's shape is x's; same ints. */
    CONV2D_BACKWARD_INPUT,
    /** d w of CONV2D: inputs (x, upstream); the node's shape is w's; same ints. */
    CONV2D_BACKWARD_WEIGHT,
    /** out[b, c, ...] = x[b, c, ...] + bias[c] for x [B, C, ...]. */
    ADD_CHANNEL_BIAS,
    /** out[c] = sum over b and spatial positions of x[b, c, ...]. */
    SUM_CHANNELS,
    /** out = x with another shape of the same size (a copy). */
    RESHAPE,
    /** Max pooling of x [B, C, H, W]; ints (kernelH, kernelW, strideH, strideW, padH, padW); argmax in scratch. */
    MAX_POOL2D,
    /** d x of MAX_POOL2D: inputs (pool node, upstream); reads the pool node's argmax scratch. */
    MAX_POOL2D_BACKWARD,
    /** Average pooling (padding counted in the divisor); ints as MAX_POOL2D. */
    AVG_POOL2D,
    /** d x of AVG_POOL2D: input (upstream); the node's shape is x's; same ints. */
    AVG_POOL2D_BACKWARD,
    /** Nearest-neighbour upsampling of x [B, C, H, W] by ints (scaleH, scaleW). */
    UPSAMPLE_NEAREST,
    /** d x of UPSAMPLE_NEAREST: input (upstream); sums each scaleH x scaleW block. */
    UPSAMPLE_NEAREST_BACKWARD,
    /** Batch normalization with batch statistics: inputs (x [B, C, ...], gamma [C], beta [C]); value eps; scratch (mean, invstd, var). */
    BATCH_NORM,
    /** Batch normalization with given statistics: inputs (x, gamma, beta, mean [C], var [C]); value eps. */
    BATCH_NORM_EVAL,
    /** d x of BATCH_NORM: inputs (batch-norm node, x, gamma, upstream); reads its scratch. */
    BATCH_NORM_BACKWARD,
    /** d gamma of BATCH_NORM: inputs (batch-norm node, x, upstream); out[c] = sum of upstream * xhat. */
    BATCH_NORM_BACKWARD_GAMMA,
    /** Inverted dropout: value p, ints (seedHigh, seedLow); scratch (mask, step counter). */
    DROPOUT,
    /** d x of DROPOUT: inputs (dropout node, upstream); out = upstream * mask. */
    DROPOUT_BACKWARD,
    /** Mean elementwise loss of (y, t) into a scalar [1]; ints (kind: 0 mse, 1 l1, 2 bce with logits). */
    POINTWISE_LOSS,
    /** d y of POINTWISE_LOSS: inputs (y, t, upstream [1]); same ints. */
    POINTWISE_LOSS_BACKWARD
}
