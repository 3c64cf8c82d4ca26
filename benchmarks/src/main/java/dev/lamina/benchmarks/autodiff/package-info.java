/** Benchmarks of compiled autodiff plans (op strategies such as convolution forward passes). */
package dev.lamina.benchmarks.autodiff;
