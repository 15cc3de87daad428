package dev.mosaic.ssh.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may log in: the public keys in {@code DATA/authorized_keys}, in OpenSSH's format (one key a line, its comment
 * naming whose it is). Read at every login, so that a key added or removed counts at once. The key's comment (else
 * the user name the client gave) becomes the session's actor, {@code ssh:alice@laptop}, as history records it.
 */
final class AuthorizedKeys implements PublickeyAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(AuthorizedKeys.class);

    /** The actor of a session that logged in, as history records it. */
    static final AttributeKey<String> ACTOR = new AttributeKey<>();

    private final Path file;

    AuthorizedKeys(Path file) {
        this.file = file;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        List<AuthorizedKeyEntry> entries;
        try {
            entries = Files.isRegularFile(file) ? AuthorizedKeyEntry.readAuthorizedKeys(file) : List.of();
        } catch (NoSuchFileException e) {
            entries = List.of();
        } catch (IOException | RuntimeException e) {
            LOG.error("{} cannot be read ({}); nobody can log in over SSH until it can", file, e.getMessage());
            return false;
        }
        for (AuthorizedKeyEntry entry : entries) {
            PublicKey allowed;
            try {
                allowed = entry.resolvePublicKey(session, null, PublicKeyEntryResolver.IGNORING);
            } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
                LOG.warn("a key in {} cannot be read ({}): skipped", file, e.getMessage());
                continue;
            }
            if (allowed != null && KeyUtils.compareKeys(allowed, key)) {
                String who = entry.getComment() == null || entry.getComment().isBlank() ? username : entry.getComment().trim();
                String actor = "ssh:" + who.replaceAll("[^A-Za-z0-9@._:+-]", "");
                session.setAttribute(ACTOR, actor.length() > 80 ? actor.substring(0, 80) : actor);
                LOG.debug("SSH key of {} accepted from {}", actor, session.getClientAddress());
                return true;
            }
        }
        LOG.warn("SSH login refused from {}: user {}, key {} is not in {}", session.getClientAddress(), username,
                KeyUtils.getFingerPrint(key), file);
        return false;
    }
}
