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
    POINTWISE_LOSS_BACKWARD,

    // --- sequence family ---
    /** out = tanh(x), any rank. */
    TANH,
    /** out = 1 / (1 + exp(-x)), any rank. */
    SIGMOID,
    /** out = x * Phi(x) with the exact (erf) normal CDF, PyTorch's default GELU; any rank. */
    GELU,
    /** out = x * sigmoid(x), any rank. */
    SILU,
    /** out = x > 0 ? x : slope * x (attribute {@code value} = slope), any rank. */
    LEAKY_RELU,
    /** out = f'(x) * g for the activation whose op ordinal is int attribute 0; inputs (x, g). */
    ACTIVATION_BACKWARD,
    /** Softmax over the last dimension, any rank. */
    SOFTMAX,
    /** out = y * (g - sum(g * y)) over the last dimension; inputs (y = softmax output, g). */
    SOFTMAX_BACKWARD,
    /** out = x with dimensions permuted: out dim i is x dim perm[i] (int attributes = perm). */
    PERMUTE,
    /** out = x[..., start : start + len, ...] along dim (int attributes dim, start). */
    SLICE,
    /** The gradient of SLICE: g placed at start along dim in a zero tensor of the node's shape. */
    SLICE_BACKWARD,
    /** Inputs joined along dim (int attribute 0). */
    CONCAT,
    /** out[r, ...] = x[r, ...] + p[...] where p's shape is the trailing dimensions of x's. */
    ADD_BROADCAST,
    /** out[b, t, :] = table[ids[b, t], :]; inputs (ids [B, T] as floats, table [V, C]). */
    EMBEDDING,
    /** Scatter-add of g [B, T, C] into a zero [V, C] table at rows ids; inputs (ids, g). */
    EMBEDDING_BACKWARD,
    /** Sinusoidal position table [T, C] (no inputs): sin on even channels, cos on odd ones. */
    SINUSOID_POSITIONS,
    /** Diffusion timestep embedding: t [B] to [B, C] = [cos(t f), sin(t f)] with f = 10000^(-i / (C/2)). */
    TIME_EMBEDDING,
    /** Layer normalization over the last dimension; inputs (x, gamma, beta), {@code value} = epsilon; scratch: mean, rstd. */
    LAYER_NORM,
    /** LayerNorm gradient; inputs (ln, x, gamma, g); int attribute 0: 0 = dx, 1 = dgamma. */
    LAYER_NORM_BACKWARD,
    /** Fused multi-head self-attention of qkv [B, T, 3C] to [B, T, C]; ints (heads, causal); optional key mask [B, T]. */
    ATTENTION,
    /** d qkv of ATTENTION; inputs (attention, qkv, g[, mask]). */
    ATTENTION_BACKWARD,
    /** Mean cross-entropy of logits [B, T, V] against targets [B, T]; ints (ignoreIndex), value = label smoothing. */
    SEQUENCE_CROSS_ENTROPY,
    /** d logits of SEQUENCE_CROSS_ENTROPY; inputs (loss node, logits, targets, g). */
    SEQUENCE_CROSS_ENTROPY_BACKWARD,
    /** One LSTM layer over x [B, T, I] to h [B, T, H]; inputs (x, w_ih, w_hh, b_ih, b_hh); PyTorch gate order i, f, g, o. */
    LSTM,
    /** Pre-activation gate gradients [B * T, 4H] of LSTM by backprop through time; inputs (lstm, w_hh, g). */
    LSTM_BACKWARD,
    /** One GRU layer over x [B, T, I] to h [B, T, H]; inputs (x, w_ih, w_hh, b_ih, b_hh); PyTorch gate order r, z, n. */
    GRU,
    /** GRU gradients [2 * B * T, 3H]: input-side then hidden-side pre-activation gradients; inputs (gru, w_hh, g). */
    GRU_BACKWARD,

    // --- normalization composition (NormOps) ---
    /** out[b, c, ...] = x[b, c, ...] * scale[c] for x [B, C, ...]. */
    MUL_CHANNEL
}
