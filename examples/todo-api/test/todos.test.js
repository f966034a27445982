import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../src/app.js";

let server;
let baseUrl;

before(async () => {
  server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function request(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const res = await fetch(baseUrl + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe("todos", () => {
  test("creates a todo and lists it", async () => {
    const created = await request("POST", "/todos", { title: "  Buy milk  " });
    assert.equal(created.status, 201);
    assert.equal(created.body.title, "Buy milk");
    assert.equal(created.body.completed, false);
    assert.equal(typeof created.body.id, "number");

    const list = await request("GET", "/todos");
    assert.equal(list.status, 200);
    assert.ok(list.body.some((todo) => todo.id === created.body.id));
  });

  test("gets one todo by id", async () => {
    const created = await request("POST", "/todos", { title: "Walk the dog" });
    const found = await request("GET", `/todos/${created.body.id}`);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body, created.body);
  });

  test("returns 404 for a missing todo", async () => {
    const missing = await request("GET", "/todos/999999");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "not_found");
    assert.equal((await request("GET", "/todos/abc")).status, 404);
  });

  test("updates title and completed", async () => {
    const created = await request("POST", "/todos", { title: "Write tests" });
    const patched = await request("PATCH", `/todos/${created.body.id}`, { completed: true });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.completed, true);
    assert.equal(patched.body.title, "Write tests");

    const renamed = await request("PATCH", `/todos/${created.body.id}`, { title: "Write more tests" });
    assert.equal(renamed.body.title, "Write more tests");
    assert.equal(renamed.body.completed, true);
    assert.equal((await request("PATCH", "/todos/999999", { completed: true })).status, 404);
  });

  test("rejects invalid input", async () => {
    assert.equal((await request("POST", "/todos", { title: "" })).status, 422);
    assert.equal((await request("POST", "/todos", { title: 42 })).status, 422);
    assert.equal((await request("POST", "/todos", "{not json")).status, 400);
    assert.equal((await request("POST", "/todos", [])).status, 400);

    const created = await request("POST", "/todos", { title: "Stay valid" });
    const bad = await request("PATCH", `/todos/${created.body.id}`, { completed: "yes" });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, "invalid_input");
  });

  test("answers unknown routes with a JSON 404", async () => {
    const res = await request("GET", "/nope");
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, "not_found");
  });
});
