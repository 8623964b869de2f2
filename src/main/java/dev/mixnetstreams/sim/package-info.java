/**
 * An in-process simulated mixnet for tests, simulations and benchmarks: {@link
 * dev.mixnetstreams.sim.SimulatedMixnet} hands out {@link dev.mixnetstreams.MixnetTransport}
 * endpoints that deliver to each other with configurable latency jitter, loss and duplication.
 */
package dev.mixnetstreams.sim;
