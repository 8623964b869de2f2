package dev.mixnetstreams.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Registered;
import jdk.jfr.StackTrace;

/** The peer of a stream opened here showed that it holds the stream. Registered only while a recording runs. */
@Name("dev.mixnetstreams.StreamEstablished")
@Label("Stream Established")
@Category("Mixnet Streams")
@Description("The peer of a stream opened here showed that it holds the stream (OpenAck, Data, Ping or Pong).")
@Registered(false)
@StackTrace(false)
final class StreamEstablishedEvent extends jdk.jfr.Event {
    @Label("Stream Id") @Description("the stream id, as a signed 64-bit value") long streamId;
}
