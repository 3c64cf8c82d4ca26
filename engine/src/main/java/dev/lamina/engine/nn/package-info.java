/**
 * Layers as stateless specs plus views into one flat parameter buffer per model; model specs and compiled training and forward steps.
 */
package dev.lamina.engine.nn;
