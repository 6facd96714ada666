"use strict";
// Storefront admin: a health endpoint, an orders page and Prometheus metrics (standard
// library only).
const http = require("node:http");
const { createMetrics, instrument } = require("./metrics");

function handle(req, res) {
  if (req.url === "/health") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ status: "ok" }));
    return;
  }
  if (req.url === "/") {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>Printloop admin</title><h1>Orders</h1>");
    return;
  }
  res.writeHead(404, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ error: "not found" }));
}

function createServer() {
  return http.createServer(instrument(handle, createMetrics()));
}

module.exports = { createServer };
