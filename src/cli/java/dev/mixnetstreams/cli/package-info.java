/**
 * The command-line tool ({@code mixnet-streams-cli.jar}, run by the {@code mixnet-streams}
 * launcher): the demo, the TCP tunnel on the simulated mixnet, the frame codec, the nym-client
 * stand-in ({@code emulator}), {@code address}, and the tunnel's two halves on nym-clients. Class
 * path code in {@code src/cli/java}: not part of the library's module or jar.
 */
package dev.mixnetstreams.cli;
