/**
 * The stream frame codec: the 16-byte header of the Nym stream protocol, byte for byte.
 */
package dev.mixnetstreams.wire;
