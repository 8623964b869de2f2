package dev.mixnetstreams.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Registered;
import jdk.jfr.StackTrace;

/** A reader was told that messages of its stream were lost (StreamDataLossException). Registered only while a recording runs. */
@Name("dev.mixnetstreams.DataLost")
@Label("Data Lost")
@Category("Mixnet Streams")
@Description("A reader was told that messages of its stream were lost (StreamDataLossException).")
@Registered(false)
@StackTrace(false)
final class DataLostEvent extends jdk.jfr.Event {
    @Label("Stream Id") @Description("the stream id, as a signed 64-bit value; 0 if none")
    long streamId;
    @Label("First Lost Sequence") long firstLostSequence;
    @Label("Lost Messages") long lostMessages;
    @Label("Stream Offset") @DataAmount long streamOffset;
}
