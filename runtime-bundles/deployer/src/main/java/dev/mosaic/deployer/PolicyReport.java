package dev.mosaic.deployer;

import java.util.List;

/**
 * What the deploy policy says of a bundle, without deploying it ({@code mosaic check FILE}).
 *
 * @param environment the environment it was checked for (its shared modules may be imported)
 * @param allowed whether a deploy would pass the policy
 * @param refused findings that would refuse the deploy
 * @param reported findings that would not, and would be kept with the deployment
 * @param unwired packages it imports optionally that the policy keeps from it: they would stay unwired
 * @param exemption what an operator would add to the policy's {@code exemptions} to allow it, or null if nothing is refused
 * @param policy where the policy comes from: the operator's file, or the built-in default
 */
public record PolicyReport(String environment, String name, String version, Kind kind, boolean allowed, List<String> refused,
        List<String> reported, List<String> unwired, String exemption, String policy) {

    public PolicyReport {
        refused = List.copyOf(refused);
        reported = List.copyOf(reported);
        unwired = List.copyOf(unwired);
    }
}
