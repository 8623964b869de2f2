package dev.mixnetstreams.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, rather than the start of the JVM's shutdown.
 *
 * <p>A long-running command waits for the request, closes what it runs, prints its summary and
 * returns its status; {@link Main#main} then exits through {@link System#exit}, so every shutdown
 * hook runs (a JFR recording's dump among them) and the status is 0, not the signal's 130 or 143.
 * (Exiting 0 from inside a shutdown hook takes {@link Runtime#halt}, which cuts the other hooks
 * short: a {@code -XX:StartFlightRecording} file came out empty.) After the first signal the
 * previous handlers are back, so a second Ctrl-C shuts the JVM down at once.
 *
 * <p>It uses {@code sun.misc.Signal} (module {@code jdk.unsupported}, in every JDK), through
 * reflection so that the library's module does not depend on it. Where it cannot be used, the
 * signals shut the JVM down as usual.
 */
final class StopSignals {

    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private StopSignals() {
    }

    /**
     * Makes SIGINT and SIGTERM run {@code onStop} (once, on a signal-handler thread; it must not
     * block) instead of shutting the JVM down.
     *
     * Where this JVM does not allow it, nothing changes.
     *
     * @param onStop what a stop request does
     */
    static void install(Runnable onStop) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Map<Object, Object> previous = new LinkedHashMap<>();
            AtomicBoolean stopped = new AtomicBoolean();
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            if (stopped.compareAndSet(false, true)) {
                                for (Map.Entry<Object, Object> e : previous.entrySet()) {
                                    handle.invoke(null, e.getKey(), e.getValue());
                                }
                                onStop.run();
                            }
                            yield null;
                        }
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "toString" -> "stop request";
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            for (String name : SIGNALS) {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                previous.put(signal, handle.invoke(null, signal, handler));
            }
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | InstantiationException
                 | InvocationTargetException | RuntimeException e) {
            // No sun.misc.Signal, or a signal the JVM keeps (-Xrs): Ctrl-C shuts the JVM down as usual.
        }
    }
}
