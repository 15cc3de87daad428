package ${package};

/** What this module offers its consumers. */
public final class Greetings {
    private Greetings() {}

    /** A greeting for {@code name}, or for the world when there is none. */
    public static String greet(String name) {
        return "hello, " + (name == null || name.isBlank() ? "world" : name.strip());
    }
}
