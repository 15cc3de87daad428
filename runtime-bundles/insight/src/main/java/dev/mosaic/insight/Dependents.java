package dev.mosaic.insight;

import java.util.List;

/** The consumers of one module version, and the consumers of the module that are elsewhere. */
public class Dependents {
    public String environment;
    public String module;
    public String version;
    public boolean yanked;
    /** Whether this is the newest version of the module that is not yanked. */
    public boolean newest;
    /** Consumers wired to this version. */
    public List<Consumer> wired;
    /** Consumers of the module wired to another version; {@link Consumer#reason} says why. */
    public List<Consumer> elsewhere;
}
