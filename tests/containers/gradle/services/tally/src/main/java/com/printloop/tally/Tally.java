package com.printloop.tally;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.jar.Manifest;

/** Sums print runs: GET /sum?runs=500,250 answers their total; GET /about names the build. */
public final class Tally {
    /** A print run of some sheets (a record: Java 16+, compiled for release 17). */
    record Run(long sheets) {
        Run {
            if (sheets <= 0) {
                throw new IllegalArgumentException("a run has sheets: " + sheets);
            }
        }
    }

    static long total(String runs) {
        return Arrays.stream(runs.split(",")).map(String::strip)
                .map(sheets -> new Run(Long.parseLong(sheets))).mapToLong(Run::sheets).sum();
    }

    /** The attributes Gradle wrote into this jar's manifest. */
    static String about() throws IOException {
        try (InputStream in = Tally.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in == null) {
                return "no manifest\n";
            }
            var main = new Manifest(in).getMainAttributes();
            return main.getValue("Implementation-Title") + " "
                    + main.getValue("Implementation-Version") + " built by Gradle " + main.getValue("Built-By-Gradle") + "\n";
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8090"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health", exchange -> reply(exchange, 200, "ok\n"));
        server.createContext("/about", exchange -> reply(exchange, 200, about()));
        server.createContext("/sum", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            try {
                if (query != null && query.startsWith("runs=")) {
                    reply(exchange, 200, "{\"sheets\": " + total(query.substring(5)) + "}\n");
                } else {
                    reply(exchange, 400, "ask /sum?runs=500,250\n");
                }
            } catch (IllegalArgumentException bad) {
                reply(exchange, 400, "runs are positive numbers of sheets\n");
            }
        });
        server.start();
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
