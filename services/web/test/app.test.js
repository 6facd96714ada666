"use strict";
const assert = require("node:assert");
const { test } = require("node:test");
const { createServer } = require("../app");

async function get(path) {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${server.address().port}${path}`);
    return { status: response.status, body: await response.text() };
  } finally {
    server.close();
  }
}

test("health answers ok", async () => {
  const { status, body } = await get("/health");
  assert.strictEqual(status, 200);
  assert.deepStrictEqual(JSON.parse(body), { status: "ok" });
});

test("unknown paths are 404", async () => {
  assert.strictEqual((await get("/nope")).status, 404);
});
