package dev.mixnetstreams.cli;

import dev.mixnetstreams.PacketGeometry;
import dev.mixnetstreams.sim.NymCostModel;
import java.util.Locale;

/**
 * {@code --nym-costs [--packets-per-second N]}: the Nym cost model for the simulated mixnet or the
 * nym-client stand-in, and the line that reports what a run cost.
 */
final class CostOptions {

    /** The switch that turns the model on. */
    static final String FLAG = "nym-costs";
    /** The option that sets its pace. */
    static final String PACE = "packets-per-second";

    private CostOptions() {
    }

    /**
     * Returns the cost model the options ask for.
     *
     * @return the model, or {@code null} without {@code --nym-costs}
     * @throws UsageException if a pace is given without the model, or is not a positive number
     */
    static NymCostModel parse(Args args) throws UsageException {
        if (!args.flag(FLAG)) {
            if (args.has(PACE)) {
                throw new UsageException("--" + PACE + " needs --" + FLAG);
            }
            return null;
        }
        NymCostModel model = NymCostModel.defaults();
        return args.has(PACE) ? model.withPacketsPerSecond(args.positive(PACE, model.packetsPerSecond())) : model;
    }

    /** For a command's first line: what the model is, or nothing. */
    static String describe(NymCostModel model) {
        return model == null ? "" : String.format(Locale.ROOT, " nym-costs=%s packets/s",
                format(model.packetsPerSecond()));
    }

    /**
     * The closing line: Sphinx packets sent and payload bytes per packet, against the floor.
     *
     * @param model the model the run used
     * @param packets every packet the clients sent, SURB traffic included
     * @param payloadBytes payload bytes the streams sent, both ways
     */
    static String report(NymCostModel model, long packets, long payloadBytes) {
        PacketGeometry g = model.geometry();
        return String.format(Locale.ROOT, "nym costs: %d packets, %s payload bytes per packet (floor: %d from an "
                        + "opener, %d per reply)", packets, packets == 0 ? "-" : format(payloadBytes / (double) packets),
                g.anonymousPayloadFilling(1, 0), g.replyPayloadFilling(1));
    }

    private static String format(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
