/**
 * The network model the in-process mixnets ({@code dev.mixnetstreams.sim}) and the nym-client
 * stand-in ({@code dev.mixnetstreams.cli.emulator}) share: not exported from the module, no
 * compatibility promised.
 */
package dev.mixnetstreams.sim.internal;
