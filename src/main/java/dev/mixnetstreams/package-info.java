/**
 * The API: a {@link dev.mixnetstreams.MixnetClient} over one mixnet client's
 * {@link dev.mixnetstreams.MixnetTransport} opens {@link dev.mixnetstreams.MixnetStream}s to a
 * {@link dev.mixnetstreams.Recipient} and accepts the streams peers open through its
 * {@link dev.mixnetstreams.MixnetListener}; each stream is used like a {@link java.net.Socket},
 * with a blocking {@link java.io.InputStream} and {@link java.io.OutputStream}. Before its first
 * stream a client can also exchange single messages (message mode: {@link
 * dev.mixnetstreams.MixnetClient#sendPlainMessage}, {@link
 * dev.mixnetstreams.MixnetClient#waitForMessages()}). {@link dev.mixnetstreams.ClientStats}
 * counts what a client carried and dropped.
 */
package dev.mixnetstreams;
