/**
 * The command-line tool ({@code mixnet-streams-cli.jar}): the demo, the frame codec, the nym-client
 * stand-in ({@code emulator}) and {@code address}. Not
 * exported; not part of the library jar.
 */
package dev.mixnetstreams.cli;
