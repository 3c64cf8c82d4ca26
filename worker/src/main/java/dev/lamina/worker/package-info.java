/**
 * What runs inside a Spark task: compact feature blocks, one epoch of training against the parameter
 * server, and evaluation of a block. Plain Java; the driver wraps it in Spark stages.
 */
package dev.lamina.worker;
