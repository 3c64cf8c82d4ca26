/**
 * The worker side of the parameter server protocol: {@link dev.lamina.ps.client.ParameterClient}, a
 * blocking socket client that authenticates, pulls parameters and pushes gradients, reusing its frame
 * buffers from step to step.
 */
package dev.lamina.ps.client;
