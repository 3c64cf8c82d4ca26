/**
 * Optimizers over flat parameter and gradient buffers; their state lives in flat buffers of the same length.
 */
package dev.lamina.engine.optim;
