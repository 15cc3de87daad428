package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web console in a real browser: Debian's chromium, headless, driven through its chromedriver
 * (Selenium). An operator logs in with the management token, opens every page and sees what the
 * runtime serves; after a deploy and a release the graph and the uptake change; a rollback from the
 * console is recorded; a read-only session and a request without the session's CSRF token change
 * nothing. Screenshots of every page are kept in {@code itests/tests/target/console-screenshots}.
 */
public class ConsoleIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TV = "dev.mosaic.examples.tv-home";

    private LaunchedRuntime rt;
    private WebDriver browser;
    private Path shots;
    private String base;
    private int shot;

    @Before
    public void start() throws Exception {
        assertTrue("the browser test needs Debian's chromium and chromium-driver (.ci/run installs them)",
                Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver")));
        shots = Files.createDirectories(Path.of(System.getProperty("mosaic.work")).resolveSibling("console-screenshots"));
        rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir());
        base = rt.mgmtUrl.substring(0, rt.mgmtUrl.indexOf("/api/v1"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1500,1000", "--user-data-dir=" + Files.createTempDirectory(rt.data, "chromium-"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @After
    public void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (rt != null) {
            rt.close();
        }
    }

    private void logIn(boolean readOnly) throws Exception {
        browser.get(base + "/console/");
        await(b -> b.getCurrentUrl().endsWith("/console/login"));
        browser.findElement(By.id("token")).sendKeys(Files.readString(rt.data.resolve("mgmt-token")).trim());
        if (readOnly) {
            browser.findElement(By.id("readOnly")).click();
        }
        browser.findElement(By.id("login")).click();
        await(b -> b.getCurrentUrl().endsWith("/console/"));
    }

    /** Opens a page of the console and waits until its script has drawn it. */
    private WebElement open(String page) throws Exception {
        browser.get(base + "/console/#" + page);
        browser.navigate().refresh();
        await(b -> page.startsWith(String.valueOf(b.findElement(By.id("main")).getAttribute("data-page"))));
        return browser.findElement(By.id("main"));
    }

    private void screenshot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(shots.resolve(String.format("%02d-%s.png", ++shot, name)), png);
    }

    private String text(String page) throws Exception {
        return open(page).getText();
    }

    @Test
    public void anOperatorLogsInSeesEveryPageAndTheGraphAndUptakeFollowADeployAndARelease() throws Exception {
        // a wrong token is refused on the login page; the right one opens the console
        browser.get(base + "/console/");
        await(b -> b.getCurrentUrl().endsWith("/console/login"));
        browser.findElement(By.id("token")).sendKeys("not-the-token");
        browser.findElement(By.id("login")).click();
        await(b -> b.findElement(By.id("error")).getText().contains("not the management token"));
        screenshot("login-refused");
        logIn(false);

        // live rates: traffic on /tv/home shows as requests per second
        for (int i = 0; i < 50; i++) {
            rt.get("/tv/home");
        }
        WebElement routes = open("routes");
        await(b -> b.findElement(By.id("routes")).getText().contains("/tv/home"));
        for (int i = 0; i < 200; i++) {
            rt.get("/tv/home");
        }
        await(b -> b.findElement(By.id("routes")).getText().lines()
                .anyMatch(l -> l.contains("/tv/home") && l.matches(".*\\b\\d+\\.\\d req/s.*|.* \\d+\\.\\d .*")));
        assertTrue(routes.getText(), routes.getText().contains(TV));
        screenshot("routes");

        assertTrue(text("deployments").contains(TV + " 1.0.0"));
        screenshot("deployments");
        String graph = graphNodes();
        assertTrue(graph, graph.contains("prod/" + TV + "@1.0.0") && graph.contains("prod/dev.mosaic.examples.catalog@1.1.0"));
        assertFalse(graph, graph.contains("catalog@1.2.0"));
        screenshot("graph");
        String uptake = text("uptake");
        assertTrue(uptake, uptake.contains("dev.mosaic.examples.catalog"));
        screenshot("uptake");
        assertTrue(text("history").contains("seed"));
        screenshot("history");
        assertTrue(text("health").contains("OK"));
        screenshot("health");
        assertTrue(text("backends").contains("recommendations"));
        screenshot("backends");
        assertTrue(text("fleet").contains("not part of a fleet"));
        screenshot("fleet");
        assertTrue(text("rollouts").contains("none"));

        // a deploy and a release: the graph and the uptake move
        assertEquals(0, rt.cli("deploy", LaunchedRuntime.dist().resolve("examples/tv-home-1.1.0.jar").toString()).exit());
        assertEquals(0, rt.cli("deploy", LaunchedRuntime.dist().resolve("examples/catalog-1.2.0.jar").toString()).exit());
        graph = graphNodes();
        assertTrue(graph, graph.contains("prod/" + TV + "@1.1.0") && graph.contains("prod/dev.mosaic.examples.catalog@1.2.0"));
        screenshot("graph-after-release");
        String moved = text("uptake");
        assertTrue(moved, moved.lines().anyMatch(l -> l.contains("dev.mosaic.examples.catalog") && l.contains("1.2.0: 1")));
        screenshot("uptake-after-release");

        // a change from the console: rollback of tv-home, confirmed, recorded as the console's
        open("deployments");
        WebElement rollback = browser.findElements(By.cssSelector("button[data-action]")).stream()
                .filter(b -> b.getAttribute("data-action").endsWith("/" + TV + "/rollback")).findFirst().orElseThrow();
        rollback.click();
        browser.switchTo().alert().accept(); // the confirmation
        await(b -> {
            try {
                return b.switchTo().alert().getText().contains("rolled " + TV + " in prod back");
            } catch (org.openqa.selenium.NoAlertPresentException e) {
                return false;
            }
        });
        browser.switchTo().alert().accept();
        assertEquals("1.0.0", rt.json("/tv/home").get("adapterVersion").asText());
        String history = text("history");
        assertTrue(history, history.lines().anyMatch(l -> l.contains("api:web-console") && l.contains("rollback")));
        screenshot("history-after-rollback");

        // a name links to its history: tv-home's deploys and rollback, and the catalog release that moved it; no one else's
        open("deployments");
        browser.findElements(By.cssSelector("#deployments a.history-of")).stream().filter(a -> a.getText().equals(TV))
                .findFirst().orElseThrow().click();
        await(b -> b.findElement(By.cssSelector("#main h2")).getText().startsWith("History of " + TV + " in prod"));
        String own = browser.findElement(By.id("history")).getText();
        assertTrue(own, own.lines().anyMatch(l -> l.contains("rollback") && l.contains(TV)));
        assertTrue(own, own.lines().anyMatch(l -> l.contains("release") && l.contains("dev.mosaic.examples.catalog 1.2.0")
                && l.contains("1 moved: " + TV + " 1.1.0")));
        assertFalse(own, own.contains("recommendations") || own.contains("mobile-home"));
        screenshot("history-of-one-adapter");

        // the newest changes first, and older ones on asking (here 3 a page, rather than 100, for a runtime of few changes)
        browser.get(base + "/console/#history?limit=3");
        browser.navigate().refresh();
        await(b -> b.findElements(By.cssSelector("#history tr td")).size() > 0);
        List<WebElement> newest = browser.findElements(By.cssSelector("#history tr:not(:first-child)"));
        assertEquals(3, newest.size());
        String newestFirst = newest.get(0).getText();
        browser.findElement(By.cssSelector("a.older")).click();
        await(b -> b.findElements(By.cssSelector("#history tr:not(:first-child)")).size() == 6);
        assertEquals("the newest stays on top", newestFirst,
                browser.findElements(By.cssSelector("#history tr:not(:first-child)")).get(0).getText());
        assertTrue(browser.findElement(By.id("main")).getText().contains("the newest 6 are shown"));

        // without the session's CSRF token, the same change is refused; with it (the page's), accepted
        Cookie session = browser.manage().getCookieNamed("mosaic_console");
        assertTrue(session.isHttpOnly());
        assertEquals("Strict", session.getSameSite());
        String csrf = browser.findElement(By.cssSelector("meta[name=mosaic-csrf]")).getAttribute("content");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(rt.mgmtUrl + "/deployments?env=prod"))
                .header("Cookie", "mosaic_console=" + session.getValue())
                .POST(HttpRequest.BodyPublishers.ofFile(LaunchedRuntime.dist().resolve("examples/tv-home-1.1.0.jar")));
        HttpResponse<String> forged = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(forged.body(), 403, forged.statusCode());
        assertTrue(forged.body(), forged.body().contains("X-Mosaic-CSRF"));
        assertEquals("1.0.0", rt.json("/tv/home").get("adapterVersion").asText());
        HttpResponse<String> real = http.send(post.header("X-Mosaic-CSRF", csrf).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(real.body(), 201, real.statusCode());
        assertEquals("1.1.0", rt.json("/tv/home").get("adapterVersion").asText());

        // logging out ends the session: the cookie no longer reads the API
        browser.findElement(By.id("logout")).click();
        await(b -> b.getCurrentUrl().endsWith("/console/login"));
        HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(rt.mgmtUrl + "/deployments"))
                .header("Cookie", "mosaic_console=" + session.getValue()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, after.statusCode());
    }

    @Test
    public void aReadOnlySessionSeesEverythingAndChangesNothing() throws Exception {
        logIn(true);
        WebElement main = open("deployments");
        assertTrue(main.getText(), main.getText().contains(TV));
        List<WebElement> buttons = browser.findElements(By.cssSelector("#deployments button"));
        assertFalse(buttons.isEmpty());
        assertTrue("every change is disabled", buttons.stream().noneMatch(WebElement::isEnabled));
        assertEquals("read-only", browser.findElement(By.id("mode")).getText());
        screenshot("read-only");
        // even asked directly, with the session's CSRF token, the API refuses
        Object status = ((org.openqa.selenium.JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch('/api/v1/deployments/prod/" + TV + "/rollback', {method: 'POST', headers: {'X-Mosaic-CSRF':"
                        + " document.querySelector('meta[name=mosaic-csrf]').content}}).then(r => done(r.status));");
        assertEquals(403L, status);
        assertEquals("1.0.0", rt.json("/tv/home").get("adapterVersion").asText());
    }

    /** @return the ids of the nodes the graph page drew */
    private String graphNodes() throws Exception {
        open("graph");
        return String.join(" ", browser.findElements(By.cssSelector("#graph g[data-node]")).stream()
                .map(g -> g.getAttribute("data-node")).toList());
    }

    private void await(Predicate<WebDriver> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.test(browser)) {
                    return;
                }
            } catch (org.openqa.selenium.WebDriverException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        fail("never happened on " + browser.getCurrentUrl() + (last == null ? "" : " (" + last.getMessage() + ")"));
    }
}
