package dev.mosaic.insight;

import java.util.Map;

/** How a module's consumers are spread over its versions. */
public class Uptake {
    public String environment;
    public String module;
    /** The newest version that is not yanked. */
    public String newest;
    /** Version to the number of consumers wired to it, every deployed version listed, oldest first. */
    public Map<String, Integer> consumers;
    /** Consumers in all. */
    public int total;
    /** The share of consumers on the newest version, 0 to 1 (0 when nobody uses the module). */
    public double shareOnNewest;
}
