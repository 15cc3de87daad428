package dev.mosaic.insight.internal;

import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.mosaic.deployer.Deployer;
import dev.mosaic.insight.DependencyNode;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.Graph;
import dev.mosaic.insight.Insight;
import dev.mosaic.insight.Uptake;

/** Answers each question from a fresh snapshot of the deployments and their wiring. */
@Component(service = Insight.class)
public final class InsightComponent implements Insight {

    @Reference
    private Deployer deployer;

    private BundleContext context;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
    }

    private Analysis analysis() {
        return new Analysis(Snapshot.of(deployer.list(null), context), deployer::misfit);
    }

    @Override
    public List<Dependents> dependents(String environment, String module, String version) {
        return analysis().dependents(environment, module, version);
    }

    @Override
    public List<Dependents> dependents(String environment, String module, String version, boolean transitive) {
        return analysis().dependents(environment, module, version, transitive);
    }

    @Override
    public List<DependencyNode> dependencies(String environment, String name, String version) {
        return analysis().dependencies(environment, name, version);
    }

    @Override
    public List<Uptake> uptake(String environment, String module) {
        return analysis().uptake(environment, module);
    }

    @Override
    public Graph graph(String environment) {
        return analysis().graph(environment);
    }

    @Override
    public String dot(String environment) {
        return Analysis.dot(graph(environment));
    }
}
