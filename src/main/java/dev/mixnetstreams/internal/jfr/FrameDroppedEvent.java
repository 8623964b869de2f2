package dev.mixnetstreams.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Registered;
import jdk.jfr.StackTrace;

/** The router dropped an inbound message or frame (the reason is a DropReason). Registered only while a recording runs. */
@Name("dev.mixnetstreams.FrameDropped")
@Label("Frame Dropped")
@Category("Mixnet Streams")
@Description("The router dropped an inbound message or frame (the reason is a DropReason).")
@Registered(false)
@StackTrace(false)
final class FrameDroppedEvent extends jdk.jfr.Event {
    @Label("Stream Id") @Description("the stream id, as a signed 64-bit value; 0 if none")
    long streamId;
    @Label("Reason") String reason;
}
