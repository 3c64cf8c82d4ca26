/**
 * The Spark ML pipeline API: {@link dev.lamina.driver.ml.LaminaEstimator} trains with Lamina inside a
 * {@code Pipeline}; {@link dev.lamina.driver.ml.LaminaModel} adds prediction, probability and raw
 * prediction columns, running the engine on the executors. Both save and load with MLWritable/MLReadable.
 */
package dev.lamina.driver.ml;
