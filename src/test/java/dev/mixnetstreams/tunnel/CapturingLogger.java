package dev.mixnetstreams.tunnel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger that keeps every line, DEBUG included, so tests can see what was logged at which level. */
final class CapturingLogger extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    /** One logged line, formatted. */
    record Line(Level level, String message) {
    }

    /** Every line so far, in order; thread-safe. Not serialized (tests only). */
    final transient List<Line> lines = new CopyOnWriteArrayList<>();

    CapturingLogger(String name) {
        this.name = name;
    }

    /** The lines logged at {@code level}. */
    List<String> at(Level level) {
        return lines.stream().filter(l -> l.level() == level).map(Line::message).toList();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern,
                                               Object[] arguments, Throwable throwable) {
        lines.add(new Line(level, MessageFormatter.basicArrayFormat(messagePattern, arguments)));
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isDebugEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }
}
