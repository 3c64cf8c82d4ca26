/**
 * Shapes and tensor views over flat {@code float[]} buffers.
 */
package dev.lamina.engine.tensor;
