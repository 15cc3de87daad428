package dev.mosaic.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH channel's console: a Gogo session on the channel's streams, carrying the login's actor
 * ({@code mosaic.actor}, which the Mosaic commands record in history). With a command
 * ({@code ssh host mosaic:routes}) it runs that one and exits with 0, or 1 and the error; without
 * one, a JLine line editor reads commands until {@code exit} or end of input, each result shown as
 * the local console shows it.
 */
final class ConsoleCommand implements Command, Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleCommand.class);
    /** The session variable the Mosaic commands take their actor from. */
    static final String ACTOR_VARIABLE = "mosaic.actor";
    private static final String PROMPT = "mosaic> ";

    private final CommandProcessor processor;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Environment environment;
    private String actor;
    private Thread thread;

    /** @param command the one command to run, or null for an interactive console */
    ConsoleCommand(CommandProcessor processor, String command) {
        this.processor = processor;
        this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
        this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        this.environment = env;
        String who = channel.getSession().getAttribute(AuthorizedKeys.ACTOR);
        this.actor = who == null ? "ssh:" + channel.getSession().getUsername() : who;
        LOG.info("SSH {} of {} from {}", command == null ? "console" : "command '" + command + "'", actor,
                channel.getSession().getClientAddress());
        thread = new Thread(this, "mosaic-ssh-" + actor);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public void run() {
        int status = 0;
        try {
            status = command != null ? runOne() : interactive();
        } catch (Exception | LinkageError e) {
            LOG.warn("the SSH console of {} failed", actor, e);
            status = 1;
        } finally {
            exit.onExit(status);
        }
    }

    private int runOne() throws IOException {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(in, o, e)) {
            session.put(ACTOR_VARIABLE, actor);
            try {
                Object result = session.execute(command);
                if (result != null) {
                    o.println(session.format(result, Converter.INSPECT));
                }
                return 0;
            } catch (Exception failure) {
                e.println("error: " + message(failure));
                return 1;
            } finally {
                o.flush();
                e.flush();
            }
        }
    }

    private int interactive() throws IOException {
        Map<String, String> env = environment.getEnv();
        try (Terminal terminal = terminal(env)) {
            size(terminal, env);
            environment.addSignalListener((channel, signal) -> size(terminal, environment.getEnv()), Signal.WINCH);
            Attributes attributes = terminal.getAttributes();
            attributes.setOutputFlag(Attributes.OutputFlag.OPOST, true);
            attributes.setOutputFlag(Attributes.OutputFlag.ONLCR, true);
            attributes.setInputFlag(Attributes.InputFlag.ICRNL, true);
            terminal.setAttributes(attributes);
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("mosaic").build();
            PrintStream o = new PrintStream(terminal.output(), true, StandardCharsets.UTF_8);
            try (CommandSession session = processor.createSession(terminal.input(), o, o)) {
                session.put(ACTOR_VARIABLE, actor);
                terminal.writer().println("Mosaic console over SSH, as " + actor + ". Type 'mosaic' for the commands, 'exit'"
                        + " to leave.");
                terminal.flush();
                while (!Thread.currentThread().isInterrupted()) {
                    String line;
                    try {
                        line = reader.readLine(PROMPT);
                    } catch (UserInterruptException ctrlC) {
                        continue;
                    } catch (EndOfFileException ctrlD) {
                        break;
                    }
                    String trimmed = line.trim();
                    if (trimmed.isEmpty()) {
                        continue;
                    }
                    if (trimmed.equals("exit") || trimmed.equals("logout")) {
                        break;
                    }
                    try {
                        Object result = session.execute(trimmed);
                        if (result != null) {
                            terminal.writer().println(session.format(result, Converter.INSPECT));
                        }
                    } catch (Exception failure) {
                        terminal.writer().println("error: " + message(failure));
                    }
                    terminal.flush();
                }
            }
        }
        return 0;
    }

    /**
     * @return a terminal on the channel's streams; JLine finds its terminal providers through the thread's context
     *         class loader, which in a framework is not JLine's: it is, while the terminal is made
     */
    private Terminal terminal(Map<String, String> env) throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(TerminalBuilder.class.getClassLoader());
        try {
            return TerminalBuilder.builder().system(false).name("mosaic-ssh").streams(in, out).provider("exec")
                    .type(env.getOrDefault(Environment.ENV_TERM, "dumb")).encoding(StandardCharsets.UTF_8).build();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private static void size(Terminal terminal, Map<String, String> env) {
        int columns = number(env.get(Environment.ENV_COLUMNS), 120);
        int lines = number(env.get(Environment.ENV_LINES), 40);
        terminal.setSize(new Size(columns, lines));
    }

    /** @return the positive number written, or the default (a client without a window of its own says 0) */
    private static int number(String text, int otherwise) {
        try {
            int n = text == null ? 0 : Integer.parseInt(text.trim());
            return n > 0 ? n : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
