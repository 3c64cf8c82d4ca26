/**
 * The cost model behind {@code lamina plan}: a {@link dev.lamina.jobs.plan.Calibration} measured on
 * this machine ({@link dev.lamina.jobs.plan.Calibrator}) and the arithmetic that predicts step time,
 * samples/s and scaling efficiency for a cluster from it ({@link dev.lamina.jobs.plan.CostModel}).
 */
package dev.lamina.jobs.plan;
