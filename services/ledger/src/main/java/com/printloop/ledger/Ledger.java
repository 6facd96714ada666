package com.printloop.ledger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** The ledger of print-order payments: POST /payments adds cents, GET /balance reads them. */
public final class Ledger {
    private final AtomicLong balanceCents = new AtomicLong();
    private final HttpServer server;

    public Ledger(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health", exchange -> reply(exchange, 200, "ok\n"));
        server.createContext("/balance", exchange -> reply(exchange, 200,
                "{\"balance_cents\": " + balanceCents.get() + "}\n"));
        server.createContext("/payments", this::payment);
        server.setExecutor(Executors.newFixedThreadPool(4));
    }

    /** Adds the payment in the body (whole cents, positive) to the balance. */
    static long parseCents(String body) {
        long cents = Long.parseLong(body.strip());
        if (cents <= 0) {
            throw new NumberFormatException("a payment is positive: " + cents);
        }
        return cents;
    }

    private void payment(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "POST the amount in cents\n");
            return;
        }
        try (InputStream body = exchange.getRequestBody()) {
            long cents = parseCents(new String(body.readNBytes(32), StandardCharsets.UTF_8));
            reply(exchange, 200, "{\"balance_cents\": " + balanceCents.addAndGet(cents) + "}\n");
        } catch (NumberFormatException bad) {
            reply(exchange, 400, "the body is a positive number of cents\n");
        }
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type",
                text.startsWith("{") ? "application/json" : "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void start() {
        server.start();
    }

    public void stop() {
        server.stop(0);
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8070"));
        Ledger ledger = new Ledger(port);
        Runtime.getRuntime().addShutdownHook(new Thread(ledger::stop));
        ledger.start();
        System.out.println("ledger listening on :" + ledger.port());
    }
}
