/**
 * The DL4J-Spark peer of Lamina's scaling bench ({@link dev.lamina.peer.dl4j.Dl4jSparkPeer}), built on
 * request only: a project of its own on Spark 3.5.9 / Scala 2.12, outside the Lamina build.
 */
package dev.lamina.peer.dl4j;
