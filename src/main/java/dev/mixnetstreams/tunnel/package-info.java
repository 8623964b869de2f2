/**
 * A TCP tunnel over mixnet streams: {@link dev.mixnetstreams.tunnel.TunnelClient} listens on a
 * local TCP address and carries each accepted connection as one stream to a
 * {@link dev.mixnetstreams.tunnel.TunnelServer}, which connects each stream to a fixed upstream
 * TCP address. One mixnet client carries every connection.
 */
package dev.mixnetstreams.tunnel;
