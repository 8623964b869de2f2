/**
 * The command-line tool ({@code mixnet-streams-cli.jar}): the demo and the frame codec. Not
 * exported; not part of the library jar.
 */
package dev.mixnetstreams.cli;
