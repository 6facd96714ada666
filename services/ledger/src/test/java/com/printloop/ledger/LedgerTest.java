package com.printloop.ledger;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class LedgerTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private Ledger ledger;

    @Before
    public void start() throws Exception {
        ledger = new Ledger(0);
        ledger.start();
    }

    @After
    public void stop() {
        ledger.stop();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ledger.port() + path));
    }

    @Test
    public void healthAnswersOk() throws Exception {
        HttpResponse<String> response = send(at("/health"));
        assertEquals(200, response.statusCode());
        assertEquals("ok\n", response.body());
    }

    @Test
    public void paymentsAddUp() throws Exception {
        send(at("/payments").POST(HttpRequest.BodyPublishers.ofString("250")));
        HttpResponse<String> second = send(
                at("/payments").POST(HttpRequest.BodyPublishers.ofString("100\n")));
        assertEquals("{\"balance_cents\": 350}\n", second.body());
        assertEquals("{\"balance_cents\": 350}\n", send(at("/balance")).body());
    }

    @Test
    public void aBadPaymentIsRefused() throws Exception {
        HttpResponse<String> response = send(
                at("/payments").POST(HttpRequest.BodyPublishers.ofString("-5")));
        assertEquals(400, response.statusCode());
        assertEquals(405, send(at("/payments")).statusCode());
        assertThrows(NumberFormatException.class, () -> Ledger.parseCents("ten"));
    }
}
