/**
 * The spark-submit entry points ({@link dev.lamina.jobs.Main} with sub-commands) and the YAML job
 * configuration, bound to validated records before any Spark job starts.
 */
package dev.lamina.jobs;
