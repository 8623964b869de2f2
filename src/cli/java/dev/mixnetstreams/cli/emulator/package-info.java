/**
 * A local stand-in for nym-client: its WebSocket binary API on one port per emulated client,
 * routing between them like the mixnet. For development and tests; part of the CLI jar (with
 * Java-WebSocket, its server), not of the library's module or jar.
 */
package dev.mixnetstreams.cli.emulator;
