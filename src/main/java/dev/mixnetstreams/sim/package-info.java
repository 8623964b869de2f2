/**
 * In-process mixnets for tests, simulations and benchmarks, handing out {@link
 * dev.mixnetstreams.MixnetTransport} endpoints that send to each other's addresses: {@link
 * dev.mixnetstreams.sim.SimulatedMixnet}, with configurable latency jitter, loss and duplication,
 * and {@link dev.mixnetstreams.sim.LoopbackMixnet}, synchronous and in order, whose endpoints also
 * let a test inject raw messages, observe what they send and fail them.
 */
package dev.mixnetstreams.sim;
