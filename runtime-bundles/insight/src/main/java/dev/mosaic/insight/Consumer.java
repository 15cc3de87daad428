package dev.mosaic.insight;

import java.util.List;

/** A deployment using a module. */
public class Consumer {
    public String environment;
    public String name;
    public String version;
    /** {@code adapter} or {@code module}. */
    public String kind;
    /** Its imports of the module's packages, e.g. {@code dev.example.catalog [1.0.0,2.0.0)}. */
    public List<String> ranges;
    /** {@code auto} or {@code manual}. */
    public String uptake;
    /** The version of the module it is wired to. */
    public String wiredTo;
    /** For consumers elsewhere: whether its ranges would admit the version asked about. */
    public boolean admits;
    /** For consumers elsewhere: why it is not on the version asked about. */
    public String reason;
}
