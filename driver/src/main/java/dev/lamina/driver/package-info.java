/**
 * The Spark side: featurizing DataFrames into cached blocks, one barrier stage per epoch against an
 * embedded parameter server, distributed evaluation, and model files on any Hadoop file system.
 */
package dev.lamina.driver;
