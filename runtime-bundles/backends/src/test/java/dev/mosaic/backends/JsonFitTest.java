package dev.mosaic.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.BackendException;
import dev.mosaic.api.HttpException;

/** The readers the gateway, the platform's client and the test kit share: what they accept, and how they refuse. */
class JsonFitTest {

    record Title(String id, String name) {
    }

    record Titles(List<Title> titles) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void jsonContentTypesAreRecognisedWhateverTheirCase() {
        assertTrue(JsonFit.mentionsJson("application/json"));
        assertTrue(JsonFit.mentionsJson("Application/JSON; charset=utf-8"));
        assertTrue(JsonFit.mentionsJson("application/problem+json"));
        assertFalse(JsonFit.mentionsJson("text/html"));
        assertFalse(JsonFit.mentionsJson("text/jso"));
    }

    @Test
    void aBackendsAnswerIsReadSkippingWhatTheTypeDoesNotHaveAndRefusedSayingWhy() {
        Titles read = JsonFit.backendAnswer(JSON, "catalog", 200, "GET /titles", "application/json; charset=utf-8",
                utf8("{\"titles\":[{\"id\":\"t1\",\"name\":\"Dark\",\"added\":2026}],\"page\":1}"), Titles.class);
        assertEquals(List.of(new Title("t1", "Dark")), read.titles());
        assertEquals("t1", JsonFit.backendAnswer(JSON, "catalog", 200, "GET /titles/t1", null, utf8("{\"id\":\"t1\"}"),
                Title.class).id(), "an answer without a content type is read");

        BackendException html = assertThrows(BackendException.class, () -> JsonFit.backendAnswer(JSON, "catalog", 200,
                "GET /titles", "text/html", utf8("<html/>"), Titles.class));
        assertEquals(BackendException.Reason.INVALID_JSON, html.reason());
        assertEquals("backend catalog answered 200 with content type text/html to GET /titles, where JSON was expected",
                html.getMessage());
        BackendException misfit = assertThrows(BackendException.class, () -> JsonFit.backendAnswer(JSON, "catalog", 200,
                "GET /titles", "application/json", utf8("{\"titles\":[{\"id\":\"t1\"},[]]}"), Titles.class));
        assertTrue(misfit.getMessage().startsWith("backend catalog answered 200 to GET /titles with JSON that does not fit"
                + " Titles at titles[1] ("), misfit.getMessage());
        BackendException broken = assertThrows(BackendException.class, () -> JsonFit.backendAnswer(JSON, "catalog", 200,
                "GET /titles", "application/json", utf8("{\"titles\": [,"), Titles.class));
        assertTrue(broken.getMessage().startsWith("backend catalog answered 200 to GET /titles with a body that is not JSON ("),
                broken.getMessage());
        assertTrue(broken.getMessage().endsWith(" at line 1, column 13)"), broken.getMessage());
    }

    @Test
    void aRequestBodyIsReadAndRefusedWith400SayingWhy() {
        assertEquals("Dark", JsonFit.requestBody(JSON, utf8("{\"id\":\"t1\",\"name\":\"Dark\"}"), Title.class).name());
        HttpException none = assertThrows(HttpException.class, () -> JsonFit.requestBody(JSON, new byte[0], Title.class));
        assertEquals(400, none.status());
        assertEquals("the request has no body; expected JSON for Title", none.getMessage());
        HttpException misfit = assertThrows(HttpException.class, () -> JsonFit.requestBody(JSON, utf8("{\"id\":[1]}"),
                Title.class));
        assertEquals(400, misfit.status());
        assertTrue(misfit.getMessage().startsWith("the request came with JSON that does not fit Title at id ("),
                misfit.getMessage());
    }
}
