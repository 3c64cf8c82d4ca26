/**
 * Computation graphs, reverse-mode differentiation (one table of gradient rules written in forward ops) and compiled plans that own every buffer, so a step allocates nothing.
 */
package dev.lamina.engine.autodiff;
