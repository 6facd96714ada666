"use strict";
const assert = require("node:assert");
const { test } = require("node:test");
const { createServer } = require("../app");
const { createMetrics, instrument } = require("../metrics");

async function withServer(server, run) {
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    return await run(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.close();
  }
}

test("metrics count requests by code and method, not the scrape", async () => {
  await withServer(createServer(), async (base) => {
    await (await fetch(`${base}/health`)).text();
    await (await fetch(`${base}/nope`)).text();
    await (await fetch(`${base}/health`, { method: "PROPFIND" })).text();
    const response = await fetch(`${base}/metrics`);
    assert.strictEqual(response.status, 200);
    assert.match(response.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    for (const line of [
      'http_requests_total{code="200",method="GET"} 1',
      'http_requests_total{code="200",method="OTHER"} 1',
      'http_requests_total{code="404",method="GET"} 1',
      'http_request_duration_seconds_bucket{le="0.3"} 3',
      'http_request_duration_seconds_bucket{le="+Inf"} 3',
      "http_request_duration_seconds_count 3",
      "# TYPE process_cpu_seconds_total counter",
    ]) {
      assert.ok(body.includes(`${line}\n`), `no line ${line} in:\n${body}`);
    }
    assert.strictEqual(body.match(/^http_requests_total\{/gm).length, 3);
  });
});

test("histogram buckets are cumulative", () => {
  const metrics = createMetrics();
  for (const seconds of [0.2, 0.3, 0.4, 20]) metrics.observe("GET", 200, seconds);
  const body = metrics.render();
  for (const line of [
    'http_request_duration_seconds_bucket{le="0.25"} 1',
    'http_request_duration_seconds_bucket{le="0.3"} 2',
    'http_request_duration_seconds_bucket{le="0.5"} 3',
    'http_request_duration_seconds_bucket{le="10"} 3',
    'http_request_duration_seconds_bucket{le="+Inf"} 4',
    "http_request_duration_seconds_sum 20.900000",
  ]) {
    assert.ok(body.includes(`${line}\n`), `no line ${line} in:\n${body}`);
  }
});

test("a handler that throws is answered and counted as 500", async () => {
  const metrics = createMetrics();
  const failing = instrument(() => { throw new Error("no disk"); }, metrics);
  const server = require("node:http").createServer(failing);
  await withServer(server, async (base) => {
    const response = await fetch(`${base}/orders`);
    assert.strictEqual(response.status, 500);
    await response.text();
  });
  assert.ok(metrics.render().includes('http_requests_total{code="500",method="GET"} 1\n'));
});
