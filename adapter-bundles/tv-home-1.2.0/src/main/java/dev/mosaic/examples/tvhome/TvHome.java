package dev.mosaic.examples.tvhome;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import dev.mosaic.api.Modules;
import dev.mosaic.api.Request;
import dev.mosaic.api.Route;
import dev.mosaic.api.RouteHandler;
import dev.mosaic.examples.catalog.Catalog;

/**
 * The TV home page, 1.2.0: composed. Two backends are called at once, {@code recommendations}
 * and {@code bookmarks} (named in {@code Mosaic-Backends}, see bnd.bnd); their rows join the
 * catalog's. A backend that fails or is late costs its row, not the page: the page says which
 * rows were left out. No thread waits for either call ({@code blocking = false}).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE)
@Route(method = "GET", path = "/tv/home", blocking = false)
public class TvHome implements RouteHandler {

    /** The page a TV renders; {@code leftOut} names the rows whose backend failed. */
    public record Page(String device, String adapterVersion, String moduleVersion, String profile, List<Row> rows,
            List<String> leftOut) {
    }

    /** One row of titles. */
    public record Row(String name, List<?> titles) {
    }

    /** What the recommendations and bookmarks backends answer. */
    public record Titles(String profile, List<Entry> titles) {
    }

    /** A title as a backend gives it. */
    public record Entry(String id, String name) {
    }

    @Override
    public Object handle(Request request) {
        String profile = request.query("profile") == null ? "default" : request.query("profile");
        CompletionStage<Row> recommended = row(request, "recommendations", "/{profile}", profile, "Recommended for you");
        CompletionStage<Row> continueWatching = row(request, "bookmarks", "/{profile}", profile, "Continue watching");
        return recommended.thenCombine(continueWatching, (recs, marks) -> {
            List<Row> rows = new ArrayList<>();
            List<String> leftOut = new ArrayList<>();
            for (Row r : new Row[] {marks, recs}) {
                if (r.titles() == null) {
                    leftOut.add(r.name());
                } else {
                    rows.add(r);
                }
            }
            rows.add(new Row("Trending now", Catalog.trending()));
            rows.add(new Row("All titles", Catalog.titles()));
            return new Page("tv", Modules.versionOf(TvHome.class), Modules.versionOf(Catalog.class), profile, rows, leftOut);
        });
    }

    /** A row from a backend; on any failure (an error, the deadline, an open breaker) a row with no titles. */
    private static CompletionStage<Row> row(Request request, String backend, String path, String profile, String name) {
        return request.backend(backend).get(path, profile).as(Titles.class)
                .thenApply(t -> new Row(name, t.titles()))
                .exceptionally(failure -> new Row(name, null));
    }
}
