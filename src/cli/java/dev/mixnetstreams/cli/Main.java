package dev.mixnetstreams.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code mixnet-streams-cli.jar} entry point.
 *
 * <pre>
 * demo [--streams N] [--bytes N] [--latency-ms A-B] [--loss P] [--duplicate P] [--seed S] [--max-unread-bytes N]
 *      [--nym-costs [--packets-per-second N]]
 * tunnel --listen HOST:PORT --upstream HOST:PORT [--latency-ms A-B] [--loss P] [--duplicate P] [--seed S] [--connect-on-accept true|false]
 *        [--nym-costs [--packets-per-second N]]
 * frame encode --id HEX --type open|data|open-ack|ping|pong --seq N --payload HEX
 * frame decode HEX
 * emulator --port P [--clients N] [--latency-ms A-B] [--loss P] [--duplicate P] [--seed S] [--nym-costs [--packets-per-second N]]
 * address --nym URL
 * tunnel-server --nym URL --upstream HOST:PORT [--connect-on-accept true|false] [--max-outage S] [--summary-interval S]
 * tunnel-client --nym URL --server NYM-ADDRESS --listen HOST:PORT [--connect-on-accept true|false]
 *               [--establish-timeout S] [--max-outage S] [--summary-interval S]
 * </pre>
 */
public final class Main {

    static final String USAGE = """
            usage: ./mixnet-streams COMMAND [OPTIONS]    (on Java 21+ also: java -jar target/mixnet-streams-cli.jar ...)
              demo [--streams N] [--bytes N] [--latency-ms A-B] [--loss P] [--duplicate P] [--seed S] [--max-unread-bytes N]
                   [--nym-costs [--packets-per-second N]]
                  two clients on the simulated mixnet; N streams each echo N random bytes, all verified
              tunnel --listen HOST:PORT --upstream HOST:PORT [--latency-ms A-B] [--loss P] [--duplicate P] [--seed S]
                     [--connect-on-accept true|false] [--nym-costs [--packets-per-second N]]
                  TCP tunnel: each connection to --listen is carried as one stream across the
                  simulated mixnet (default latency 5-50 ms) to --upstream; Ctrl-C prints a summary.
                  A connection goes onward at its first byte; --connect-on-accept true connects at
                  once, for protocols in which the server speaks first (SMTP, FTP, MySQL)
              --nym-costs (demo, tunnel, emulator): messages cost Sphinx packets as on the Nym network,
                  sent at 50 packets per second per client (--packets-per-second N), with reply SURBs
                  spent and refilled; demo and tunnel print the packets used when they finish
              frame encode --id HEX --type open|data|open-ack|ping|pong --seq N [--payload HEX]
                  prints the stream frame in lowercase hex
              frame decode HEX
                  prints id=0x.. type=open|data|open-ack|ping|pong seq=N reserved=N payload=HEX, or exits 2
              emulator --port P [--clients N] [--latency-ms A-B] [--loss P] [--duplicate P] [--seed S]
                       [--nym-costs [--packets-per-second N]]
                  a local stand-in for nym-client: N clients on ws://127.0.0.1:P, P+1, ...;
                  prints each one's URL and address, runs until Ctrl-C (then exits 0)
              address --nym ws://HOST:PORT
                  prints the address of the nym-client at that URL (e.g. ws://127.0.0.1:1977)
              tunnel-server --nym ws://HOST:PORT --upstream HOST:PORT [--connect-on-accept true|false]
                            [--max-outage SECONDS] [--summary-interval SECONDS]
                  the tunnel's server half on a nym-client: prints its address, connects every
                  stream opened to it to HOST:PORT
              tunnel-client --nym ws://HOST:PORT --server NYM-ADDRESS --listen HOST:PORT [--connect-on-accept true|false]
                            [--establish-timeout SECONDS] [--max-outage SECONDS] [--summary-interval SECONDS]
                  the tunnel's client half on another nym-client: every TCP connection to
                  --listen becomes a stream to the tunnel-server at NYM-ADDRESS, reset if the
                  tunnel-server does not answer within --establish-timeout (30; 0: no limit)
              tunnel-server and tunnel-client reconnect when their nym-client restarts, exit with
                  status 1 if it stays away longer than --max-outage (300), and print their health
                  every --summary-interval (300; 0: only when they stop)
              HOST:PORT is a host name, an IPv4 address or an IPv6 address in brackets ([::1]:9000)""";

    private Main() {
    }

    /**
     * Runs a command and exits with its status: 0 success, 1 failure, 2 bad arguments.
     *
     * @param args the command and its options
     */
    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /**
     * Runs a command.
     *
     * @param args the command and its options
     * @param out where results go
     * @param err where usage errors go
     * @return the exit status: 0 success, 1 failure, 2 bad arguments or not a frame
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        try {
            if (args.isEmpty()) {
                throw new UsageException("no command given");
            }
            List<String> rest = args.subList(1, args.size());
            return switch (args.get(0)) {
                case "demo" -> Demo.run(rest, out);
                case "frame" -> FrameCommand.run(rest, out);
                case "tunnel" -> TunnelCommand.run(rest, out);
                case "emulator" -> {
                    CountDownLatch stopRequested = new CountDownLatch(1);
                    StopSignals.install(stopRequested::countDown); // Ctrl-C: stop, exit 0
                    yield NymCommands.emulator(rest, out, stopRequested);
                }
                case "address" -> NymCommands.address(rest, out, err);
                case "tunnel-server" -> NymTunnelCommands.runServer(rest, out);
                case "tunnel-client" -> NymTunnelCommands.runClient(rest, out);
                case "help", "--help", "-h" -> {
                    out.println(USAGE);
                    yield 0;
                }
                default -> throw new UsageException("unknown command: " + args.get(0));
            };
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return 1;
        }
    }
}
