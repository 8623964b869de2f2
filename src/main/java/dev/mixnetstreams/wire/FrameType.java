package dev.mixnetstreams.wire;

/** The message types of a stream frame that this protocol version understands. */
public enum FrameType {
    /** Opens a stream (wire value 0). The opener sends it with sequence number 0 and no payload. */
    OPEN(0),
    /** Carries stream data (wire value 1). */
    DATA(1);

    private final int wireValue;

    FrameType(int wireValue) {
        this.wireValue = wireValue;
    }

    /**
     * Returns the byte written at offset 10 of the header.
     *
     * @return 0 for {@link #OPEN}, 1 for {@link #DATA}
     */
    public int wireValue() {
        return wireValue;
    }
}
