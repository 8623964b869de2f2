package dev.mixnetstreams.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Registered;
import jdk.jfr.StackTrace;

/** An OpenAck, Ping or Pong was received for a stream, or the keepalive gave up. Registered only while a recording runs. */
@Name("dev.mixnetstreams.Keepalive")
@Label("Keepalive")
@Category("Mixnet Streams")
@Description("An OpenAck, Ping or Pong arrived for a stream, a Ping was queued, or the peer was found unresponsive.")
@Registered(false)
@StackTrace(false)
final class ControlFrameEvent extends jdk.jfr.Event {
    @Label("Stream Id") @Description("the stream id, as a signed 64-bit value") long streamId;
    @Label("What") @Description("open-ack in, ping in, pong in, stale pong in, ping out, unresponsive") String what;
    @Label("Nonce") @Description("the Ping or Pong nonce (unsigned 32 bits), else 0") long nonce;
}
