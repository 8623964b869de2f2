/**
 * The public API: stream identifiers and (later) clients, listeners and streams.
 */
package dev.mixnetstreams;
