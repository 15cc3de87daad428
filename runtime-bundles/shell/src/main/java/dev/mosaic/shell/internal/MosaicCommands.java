package dev.mosaic.shell.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.RouteView;

/**
 * The {@code mosaic:} console commands. Each returns what the deployer returns; the shell
 * formats it ({@link ConsoleFormatter}), and scripts can use the objects directly.
 */
@Component(service = MosaicCommands.class, property = {
        "osgi.command.scope=mosaic",
        "osgi.command.function=deploy",
        "osgi.command.function=undeploy",
        "osgi.command.function=rollback",
        "osgi.command.function=yank",
        "osgi.command.function=unyank",
        "osgi.command.function=adopt",
        "osgi.command.function=list",
        "osgi.command.function=routes",
        "osgi.command.function=history" })
public final class MosaicCommands {

    private static final String ENV_FLAGS_1 = "-e";
    private static final String ENV_FLAGS_2 = "--env";

    @Reference
    private Deployer deployer;

    @Descriptor("deploy an adapter or release a shared-module version")
    public DeployResult deploy(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the bundle jar, a path on the runtime's machine") String file) throws DeployException, IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new DeployException(DeployException.NOT_FOUND, "no file " + Path.of(file).toAbsolutePath());
        }
        return deployer.deploy(bytes, DeployOptions.to(env, actor()));
    }

    @Descriptor("undeploy an adapter (its routes answer 404 afterwards)")
    public DeployResult undeploy(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the adapter's symbolic name") String name) throws DeployException {
        return deployer.undeploy(env, name, null, false, actor());
    }

    @Descriptor("undeploy a shared-module version (refused while in use, unless --force)")
    public DeployResult undeploy(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("move its consumers to another version first") @Parameter(names = { "-f", "--force" }, presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("the module's symbolic name") String name,
            @Descriptor("the version") String version) throws DeployException {
        return deployer.undeploy(env, name, version, force, actor());
    }

    @Descriptor("put back the adapter version that served before the current one")
    public DeployResult rollback(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the adapter's symbolic name") String name) throws DeployException {
        return deployer.rollback(env, name, actor());
    }

    @Descriptor("withdraw a shared-module version: its consumers move to the best other version in their range")
    public DeployResult yank(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the module's symbolic name") String name,
            @Descriptor("the version") String version) throws DeployException {
        return deployer.yank(env, name, version, actor());
    }

    @Descriptor("make a yanked shared-module version available again")
    public DeployResult unyank(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the module's symbolic name") String name,
            @Descriptor("the version") String version) throws DeployException {
        return deployer.unyank(env, name, version, actor());
    }

    @Descriptor("move a consumer with manual uptake to the newest module versions its ranges admit")
    public DeployResult adopt(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the consumer's symbolic name") String name) throws DeployException {
        return deployer.adopt(env, name, actor());
    }

    @Descriptor("list deployments (adapters and module versions)")
    public List<DeploymentInfo> list(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env) {
        return deployer.list(env.isEmpty() ? null : env);
    }

    @Descriptor("list the routes served, with their adapter and the module versions it is wired to")
    public List<RouteView> routes() {
        return deployer.routes();
    }

    @Descriptor("show the history of changes")
    public List<HistoryEntry> history(
            @Descriptor("how many of the newest entries") @Parameter(names = { "-n", "--limit" }, absentValue = "50") int limit) {
        return deployer.history(limit);
    }

    private static String actor() {
        return "console:" + System.getProperty("user.name", "unknown");
    }
}
