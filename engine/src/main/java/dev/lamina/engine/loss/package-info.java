/**
 * Loss functions as graph builders.
 */
package dev.lamina.engine.loss;
