package dev.mosaic.deployer.internal.checks;

/**
 * One thing the policy has a rule about, found in a bundle.
 *
 * @param category {@code import}, {@code network}, {@code process}, {@code exit}, {@code reflection}, ...
 * @param text what was found and where, e.g. {@code network: com.example.Lookup.fetch calls java.net.URL.openStream}
 * @param exemption what an operator lists for the bundle in the policy's {@code exemptions} to allow it
 */
public record Finding(String category, String text, String exemption) {
}
