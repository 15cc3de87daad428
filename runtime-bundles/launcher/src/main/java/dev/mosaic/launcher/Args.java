package dev.mosaic.launcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line arguments: positionals, {@code --name value}, {@code --name=value} and flags. */
final class Args {

    /** A usage error: the message says what was wrong. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    /**
     * @param args the arguments after the command
     * @param valued options that take a value
     * @param flags options that take none
     */
    static Args parse(List<String> args, Set<String> valued, Set<String> flags) throws UsageException {
        Args a = new Args();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--")) {
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                if (flags.contains(name)) {
                    if (value != null) {
                        throw new UsageException(name + " takes no value");
                    }
                    a.options.put(name, "true");
                } else if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    a.options.put(name, value);
                } else {
                    throw new UsageException("unknown option " + name);
                }
            } else {
                a.positional.add(arg);
            }
        }
        return a;
    }

    String get(String name, String defaultValue) {
        return options.getOrDefault(name, defaultValue);
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    int port(String name, int defaultValue) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a port number from 0 to 65535, got '" + v + "'");
        }
    }
}
