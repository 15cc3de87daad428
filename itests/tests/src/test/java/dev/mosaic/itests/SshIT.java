package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The console over SSH ({@code bin/mosaic run --ssh-port N}), logged in to with a real SSH client
 * (Apache MINA SSHD's): a key in {@code DATA/authorized_keys} runs a command and an interactive
 * session with the local console's commands, and what it changes is recorded as its key's owner's;
 * another key is refused; off unless asked for, and on loopback unless allowed.
 */
public class SshIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    /** @return the console's port, as the runtime said where it listens */
    private static int sshPort(LaunchedRuntime rt) {
        String line = rt.stdout().stream().filter(l -> l.startsWith("mosaic SSH console on ")).findFirst()
                .orElseThrow(() -> new AssertionError("the runtime did not say where the SSH console is: " + rt.stdout()));
        String address = line.substring("mosaic SSH console on ".length()).split(" ")[0];
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static ClientSession login(SshClient client, int port, KeyPair key) throws Exception {
        ClientSession session = client.connect("operator", "127.0.0.1", port).verify(WAIT).getSession();
        session.addPublicKeyIdentity(key);
        session.auth().verify(WAIT);
        return session;
    }

    @Test
    public void aKeyInAuthorizedKeysRunsTheConsolesCommandsAndAnotherKeyIsRefused() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        KeyPair alice = keyPair();
        // Ed25519, what ssh-keygen makes by default
        KeyPair bob = org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair(
                org.apache.sshd.common.keyprovider.KeyPairProvider.SSH_ED25519, 256);
        Files.writeString(data.resolve("authorized_keys"), "# who may log in\n" + PublicKeyEntry.toString(alice.getPublic())
                + " alice@laptop\n" + PublicKeyEntry.toString(bob.getPublic()) + " bob@desk\n");
        try (LaunchedRuntime rt = LaunchedRuntime.start(data, List.of(), List.of("--no-console", "--ssh-port", "0"));
                SshClient client = SshClient.setUpDefaultClient()) {
            int port = sshPort(rt);
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (ClientSession session = login(client, port, alice)) {
                // one command, as scripts run it: its answer as the console shows it
                String routes = session.executeRemoteCommand("mosaic:routes");
                assertTrue(routes, routes.lines().anyMatch(l -> l.contains("/tv/home") && l.contains("dev.mosaic.examples.tv-home")));
                // a change, recorded as the key's owner's
                String deployed = session.executeRemoteCommand("mosaic:deploy "
                        + LaunchedRuntime.dist().resolve("examples/tv-home-1.1.0.jar"));
                assertTrue(deployed, deployed.contains("deployed dev.mosaic.examples.tv-home 1.1.0"));
                JsonNode last = LaunchedRuntime.JSON.readTree(rt.api("GET", "/history?limit=1", null).body()).get(0);
                assertEquals(last.toString(), "ssh:alice@laptop", last.get("actor").asText());
                // a command that fails: exit status 1 and why
                try {
                    session.executeRemoteCommand("mosaic:rollback dev.mosaic.examples.mobile-home");
                    fail("a rollback with nothing to go back to fails");
                } catch (IllegalStateException | java.io.IOException e) {
                    assertTrue(e.toString(), e.toString().contains("no previous version"));
                }

                // an interactive session: a line editor, the same commands, exit
                try (ChannelShell shell = session.createShellChannel()) {
                    PipedOutputStream typed = new PipedOutputStream();
                    shell.setIn(new PipedInputStream(typed));
                    ByteArrayOutputStream screen = new ByteArrayOutputStream();
                    shell.setOut(screen);
                    shell.setErr(screen);
                    shell.open().verify(WAIT);
                    await(screen, "mosaic> ");
                    typed.write("mosaic:history -n 1\r".getBytes(StandardCharsets.UTF_8));
                    typed.flush();
                    await(screen, "ssh:alice@laptop");
                    typed.write("exit\r".getBytes(StandardCharsets.UTF_8));
                    typed.flush();
                    assertTrue(shell.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT).contains(ClientChannelEvent.CLOSED));
                    assertEquals(Integer.valueOf(0), shell.getExitStatus());
                }
            }
            try (ClientSession session = login(client, port, bob)) {
                assertTrue(session.executeRemoteCommand("mosaic:health").startsWith("ok"));
            }
            // another key: refused, and the log says whose fingerprint it was
            try (ClientSession session = client.connect("operator", "127.0.0.1", port).verify(WAIT).getSession()) {
                session.addPublicKeyIdentity(keyPair());
                assertFalse(session.auth().await(WAIT) && session.isAuthenticated());
            }
            rt.awaitLog("SSH login refused from");
        }
    }

    @Test
    public void inAFleetAChangeOverSshAnswersOnceEveryInstanceHasAppliedIt() throws Exception {
        Fleets.startPostgres();
        List<LaunchedRuntime> fleet = new java.util.ArrayList<>();
        try (SshClient client = SshClient.setUpDefaultClient()) {
            String store = Fleets.newStore();
            Path data = LaunchedRuntime.newDataDir();
            KeyPair alice = keyPair();
            Files.writeString(data.resolve("authorized_keys"), PublicKeyEntry.toString(alice.getPublic()) + " alice@laptop\n");
            fleet.add(Fleets.instance(store, "east", data, "--ssh-port", "0"));
            fleet.add(Fleets.instance(store, "west", LaunchedRuntime.newDataDir()));
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (ClientSession session = login(client, sshPort(fleet.get(0)), alice)) {
                String deployed = session.executeRemoteCommand("mosaic:deploy "
                        + LaunchedRuntime.dist().resolve("examples/seed/catalog-1.1.0.jar"));
                assertTrue(deployed, deployed.contains("released dev.mosaic.examples.catalog 1.1.0"));
                assertTrue(deployed, deployed.contains("applied by all 2 live instance(s)"));
                // a dry run changes nothing, and says nothing of the fleet
                String dry = session.executeRemoteCommand("mosaic:deploy --dry-run "
                        + LaunchedRuntime.dist().resolve("examples/seed/tv-home-1.0.0.jar"));
                assertFalse(dry, dry.contains("applied by"));
            }
        } finally {
            for (LaunchedRuntime rt : fleet) {
                rt.close();
            }
            Fleets.stopPostgres();
        }
    }

    @Test
    public void theConsoleIsOffUnlessAskedForAndOnLoopbackUnlessAllowed() throws Exception {
        String output = LaunchedRuntimeIT.refusedRun("--port", "0", "--mgmt-port", "0", "--ssh-port", "0", "--ssh-host",
                "0.0.0.0", "--data", LaunchedRuntime.newDataDir().toString());
        assertTrue(output, output.contains("--ssh-allow-remote"));
        String alone = LaunchedRuntimeIT.refusedRun("--port", "0", "--mgmt-port", "0", "--ssh-host", "127.0.0.1", "--data",
                LaunchedRuntime.newDataDir().toString());
        assertTrue(alone, alone.contains("go with --ssh-port N"));
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of(),
                List.of("--no-console", "--ssh-port", "0", "--ssh-host", "0.0.0.0", "--ssh-allow-remote"))) {
            assertTrue(rt.log().contains("WARNING: the SSH console listens on 0.0.0.0"));
            assertTrue(rt.stdout().toString(), rt.stdout().stream().anyMatch(l -> l.startsWith("mosaic SSH console on 0.0.0.0:")));
            // no authorized_keys yet: the console says nobody can log in
            rt.awaitLog("nobody can log in until it lists a public key");
        }
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir())) {
            assertFalse(rt.stdout().toString(), rt.stdout().stream().anyMatch(l -> l.contains("SSH")));
            assertFalse(rt.log().contains("SshConsole"));
        }
    }

    private static void await(ByteArrayOutputStream screen, String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!screen.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("'" + text + "' never appeared:\n" + screen.toString(StandardCharsets.UTF_8));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
