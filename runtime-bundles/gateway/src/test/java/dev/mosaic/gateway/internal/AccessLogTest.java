package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** What of a request's query the access log writes. */
class AccessLogTest {

    @Test
    void secretsInAQueryAreNotWrittenAndEverythingElseIs() {
        assertEquals("profile=kids&access_token=REDACTED", AccessLog.redacted("profile=kids&access_token=eyJhbGciOi"));
        assertEquals("api_key=REDACTED&page=2&X-Amz-Signature=REDACTED",
                AccessLog.redacted("api_key=s3cr3t&page=2&X-Amz-Signature=abc123"));
        assertEquals("accessToken=REDACTED&clientSecret=REDACTED&password=REDACTED&sid=REDACTED",
                AccessLog.redacted("accessToken=a&clientSecret=b&password=c&sid=d"));
        assertEquals("code=REDACTED&state=xyz", AccessLog.redacted("code=4/0AX&state=xyz"));
    }

    @Test
    void aQueryWithoutSecretsIsWrittenAsItCame() {
        String plain = "profile=kids&keyword=stranger&monkey=1&q=caf%C3%A9&flag&&x=";
        assertSame(plain, AccessLog.redacted(plain), "nothing to take out: the same string, not a copy");
        assertEquals("flag&token=REDACTED&&q=1", AccessLog.redacted("flag&token=t&&q=1"), "empty parts and names kept");
        assertEquals("=v&key=REDACTED", AccessLog.redacted("=v&key=k"), "a value without a name is no secret");
    }

    @Test
    void aBackendCallsTargetKeepsItsPathAndLosesItsSecrets() {
        assertEquals("/recs/kids?api_key=REDACTED&limit=10", AccessLog.redactedTarget("/recs/kids?api_key=k-123&limit=10"));
        String plain = "/recs/kids?limit=10";
        assertSame(plain, AccessLog.redactedTarget(plain));
        assertSame("/recs/kids", AccessLog.redactedTarget("/recs/kids"));
        assertEquals("/a/token?token=REDACTED", AccessLog.redactedTarget("/a/token?token=t"), "a path is not a parameter name");
    }
}
