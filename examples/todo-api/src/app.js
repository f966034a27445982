import http from "node:http";

const MAX_BODY_BYTES = 64 * 1024;
const MAX_TITLE_LENGTH = 200;

/** In-memory todo storage. Ids are positive integers, assigned in creation order. */
export function createStore() {
  const todos = new Map();
  let nextId = 1;
  return {
    list() {
      return [...todos.values()];
    },
    get(id) {
      return todos.get(id);
    },
    create(title) {
      const todo = { id: nextId++, title, completed: false, createdAt: new Date().toISOString() };
      todos.set(todo.id, todo);
      return todo;
    },
    update(id, changes) {
      const todo = todos.get(id);
      if (!todo) return undefined;
      const updated = { ...todo, ...changes };
      todos.set(id, updated);
      return updated;
    },
  };
}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function sendJson(res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "payload_too_large", "Request body is too large");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "bad_request", "Request body must be a JSON object");
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "bad_request", "Request body is not valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, "bad_request", "Request body must be a JSON object");
  }
  return body;
}

function parseTitle(value) {
  if (typeof value !== "string" || value.trim() === "") {
    throw new HttpError(422, "invalid_input", "title must be a non-empty string");
  }
  const title = value.trim();
  if (title.length > MAX_TITLE_LENGTH) {
    throw new HttpError(422, "invalid_input", `title must be at most ${MAX_TITLE_LENGTH} characters`);
  }
  return title;
}

function parseId(raw) {
  if (!/^[1-9][0-9]*$/.test(raw)) throw new HttpError(404, "not_found", `Todo ${raw} not found`);
  return Number(raw);
}

function findTodo(store, id) {
  const todo = store.get(id);
  if (!todo) throw new HttpError(404, "not_found", `Todo ${id} not found`);
  return todo;
}

function methodNotAllowed(allowed) {
  const error = new HttpError(405, "method_not_allowed", `Allowed methods: ${allowed.join(", ")}`);
  error.headers = { allow: allowed.join(", ") };
  return error;
}

async function handle(store, req, res) {
  const { pathname } = new URL(req.url ?? "/", "http://localhost");

  if (pathname === "/todos") {
    if (req.method === "GET") return sendJson(res, 200, store.list());
    if (req.method === "POST") {
      const body = await readJson(req);
      return sendJson(res, 201, store.create(parseTitle(body.title)));
    }
    throw methodNotAllowed(["GET", "POST"]);
  }

  const match = /^\/todos\/([^/]+)$/.exec(pathname);
  if (match) {
    const id = parseId(match[1]);
    if (req.method === "GET") return sendJson(res, 200, findTodo(store, id));
    if (req.method === "PATCH") {
      findTodo(store, id);
      const body = await readJson(req);
      const changes = {};
      if ("title" in body) changes.title = parseTitle(body.title);
      if ("completed" in body) {
        if (typeof body.completed !== "boolean") {
          throw new HttpError(422, "invalid_input", "completed must be a boolean");
        }
        changes.completed = body.completed;
      }
      return sendJson(res, 200, store.update(id, changes));
    }
    throw methodNotAllowed(["GET", "PATCH"]);
  }

  throw new HttpError(404, "not_found", `No route for ${req.method} ${pathname}`);
}

/**
 * The request handler of the API. Pass a `store` to share state between handlers (tests).
 * @returns {(req: http.IncomingMessage, res: http.ServerResponse) => void}
 */
export function createApp({ store = createStore() } = {}) {
  return (req, res) => {
    handle(store, req, res).catch((error) => {
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
        return;
      }
      console.error(error);
      sendJson(res, 500, { error: { code: "internal", message: "Internal server error" } });
    });
  };
}

/** An `http.Server` serving the API, not yet listening: call `.listen(port)`. */
export function createServer(options) {
  return http.createServer(createApp(options));
}
