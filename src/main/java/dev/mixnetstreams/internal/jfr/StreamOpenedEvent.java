package dev.mixnetstreams.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Registered;
import jdk.jfr.StackTrace;

/** A stream was opened here or accepted from a peer. Registered only while a recording runs. */
@Name("dev.mixnetstreams.StreamOpened")
@Label("Stream Opened")
@Category("Mixnet Streams")
@Description("A stream was opened here or accepted from a peer.")
@Registered(false)
@StackTrace(false)
final class StreamOpenedEvent extends jdk.jfr.Event {
    @Label("Stream Id") @Description("the stream id, as a signed 64-bit value; 0 if none")
    long streamId;
    @Label("Opener") @Description("true if this end opened the stream") boolean opener;
}
