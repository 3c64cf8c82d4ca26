/**
 * The model registry for scheduled retraining, on any Hadoop file system: numbered immutable versions
 * (model files, metrics, data fingerprint and data profile), a champion pointer moved atomically, a
 * lock with expiry so that one run at a time writes, run records that make a run id idempotent, data
 * profiles and the drift check (population stability index and Kolmogorov-Smirnov per feature, label
 * shift), and the promotion rule.
 */
package dev.lamina.driver.registry;
