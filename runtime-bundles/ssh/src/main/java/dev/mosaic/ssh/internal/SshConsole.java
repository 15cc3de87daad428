package dev.mosaic.ssh.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console over SSH ({@code bin/mosaic run --ssh-port N}): Apache MINA SSHD on {@code mosaic.ssh.host}
 * ({@code 127.0.0.1} unless the operator allowed another) and {@code mosaic.ssh.port}, public keys only, from
 * {@code DATA/authorized_keys} ({@link AuthorizedKeys}, read at each login: a key added works at once), a host key
 * kept in {@code DATA/ssh-host-key}. A login gets the same Gogo commands as the local console ({@link ConsoleCommand}):
 * an interactive line editor, or one command ({@code ssh -p N host mosaic:routes}); what it changes is recorded in
 * history as done by {@code ssh:} and the key's comment. Once listening, the component registers itself, so that the
 * launcher can say where.
 */
@Component(service = {}, immediate = true)
public final class SshConsole {

    private static final Logger LOG = LoggerFactory.getLogger(SshConsole.class);

    @Reference
    private CommandProcessor processor;

    private SshServer server;
    private ServiceRegistration<SshConsole> registration;
    private String address;

    @Activate
    void activate(BundleContext context) throws IOException {
        String port = context.getProperty("mosaic.ssh.port");
        if (port == null) {
            return; // started without --ssh-port (the launcher does not start this bundle then)
        }
        String host = context.getProperty("mosaic.ssh.host") == null ? "127.0.0.1" : context.getProperty("mosaic.ssh.host");
        Path data = Path.of(context.getProperty("mosaic.data") == null ? "mosaic-data" : context.getProperty("mosaic.data"));
        Path keys = data.resolve("authorized_keys");
        server = SshServer.setUpDefaultServer();
        server.setHost(host);
        server.setPort(Integer.parseInt(port));
        SimpleGeneratorHostKeyProvider hostKey = new SimpleGeneratorHostKeyProvider(data.resolve("ssh-host-key"));
        hostKey.setAlgorithm(KeyUtils.EC_ALGORITHM);
        server.setKeyPairProvider(hostKey);
        server.setPublickeyAuthenticator(new AuthorizedKeys(keys));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setShellFactory(channel -> new ConsoleCommand(processor, null));
        server.setCommandFactory((channel, command) -> new ConsoleCommand(processor, command));
        server.start();
        address = host + ":" + server.getPort();
        if (!Files.isRegularFile(keys)) {
            LOG.warn("the SSH console listens on {}, but {} does not exist: nobody can log in until it lists a public key",
                    address, keys);
        } else {
            LOG.info("the SSH console listens on {}; the keys that may log in are in {}", address, keys);
        }
        registration = context.registerService(SshConsole.class, this, new java.util.Hashtable<>(Map.of("mosaic.ssh.address",
                address)));
    }

    /** @return where the console listens, {@code host:port} (what the launcher prints) */
    public String address() {
        return address;
    }

    @Deactivate
    void deactivate() throws IOException {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        }
        if (server != null) {
            server.stop(true);
        }
    }
}
