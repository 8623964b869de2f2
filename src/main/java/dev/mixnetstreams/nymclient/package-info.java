/**
 * The Nym native client ({@code nym-client}) WebSocket binary API: {@link
 * dev.mixnetstreams.nymclient.NymCodec} encodes and decodes its requests and responses, and {@link
 * dev.mixnetstreams.nymclient.NymClientTransport} is a {@link dev.mixnetstreams.MixnetTransport}
 * over it, built on the JDK's {@link java.net.http.WebSocket}.
 */
package dev.mixnetstreams.nymclient;
