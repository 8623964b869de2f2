package dev.mixnetstreams.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Registered;
import jdk.jfr.StackTrace;

/** A stream ended: closed by its application, or by the client (idle timeout, reset, client closed). Registered only while a recording runs. */
@Name("dev.mixnetstreams.StreamClosed")
@Label("Stream Closed")
@Category("Mixnet Streams")
@Description("A stream ended: closed by its application, or by the client (idle timeout, reset, client closed).")
@Registered(false)
@StackTrace(false)
final class StreamClosedEvent extends jdk.jfr.Event {
    @Label("Stream Id") @Description("the stream id, as a signed 64-bit value; 0 if none")
    long streamId;
    @Label("Reason") String reason;
}
