/**
 * JFR events of the stream lifecycle and of losses (not exported). {@link
 * dev.mixnetstreams.internal.jfr.StreamEvents} is what the library calls; it never touches
 * {@code jdk.jfr} unless that module is present, and the event classes are registered with the
 * flight recorder only while a recording runs.
 */
package dev.mixnetstreams.internal.jfr;
