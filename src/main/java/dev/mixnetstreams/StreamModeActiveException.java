package dev.mixnetstreams;

/**
 * Thrown by a message-mode call ({@link MixnetClient#sendPlainMessage},
 * {@link MixnetClient#sendReply}, {@link MixnetClient#waitForMessages()}) once the client is in
 * stream mode, which starts with the first {@link MixnetClient#openStream} or
 * {@link MixnetClient#listener()} and never ends.
 */
public class StreamModeActiveException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with the standard message. */
    public StreamModeActiveException() {
        super("stream mode active: message-mode calls are refused once a stream was opened or the listener taken");
    }
}
