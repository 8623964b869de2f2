package dev.mixnetstreams;

/** Thrown by {@link MixnetClient#listener()} when the client's one listener was already taken. */
public class ListenerAlreadyTakenException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with the standard message. */
    public ListenerAlreadyTakenException() {
        super("listener already taken: a mixnet client has one listener");
    }
}
