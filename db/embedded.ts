import { mkdirSync } from "node:fs";
import net from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";

export type EmbeddedPostgres = {
  /** postgres:// URL for postgres.js (user `postgres`, database `postgres`). */
  url: string;
  port: number;
  stop(): Promise<void>;
};

type Item = {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
};

// Frontend message types that end an extended-protocol sequence (Sync) or are one (simple Query).
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

/**
 * Multiplexes many client connections onto PGlite's single backend, one protocol message at a time.
 *
 * pglite-socket's own queue switches connections between any two messages unless a transaction is open.
 * That breaks the extended query protocol every driver uses (Parse → Bind → Execute → Sync share the
 * backend's unnamed statement and portal), so two idle connections querying at once fail with
 * `portal "" does not exist` or "bind message supplies N parameters". This queue keeps the backend with
 * one connection from its first extended-protocol message until its Sync, and for a whole open
 * transaction, and otherwise serves connections in arrival order.
 */
class ProtocolAwareQueue {
  private queue: Item[] = [];
  private processing = false;
  /** The connection that owns the backend mid-sequence or mid-transaction, if any. */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((item) => {
      if (item.handlerId !== handlerId) return true;
      item.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    this.owner = null;
    if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
    void this.process();
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const index = this.owner === null ? 0 : this.queue.findIndex((i) => i.handlerId === this.owner);
        if (index === -1) break; // the owner has more to send; wait for it
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          item.reject(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        const type = item.message[0];
        if (type === SYNC || type === QUERY || type === TERMINATE) {
          this.owner = this.db.isInTransaction() ? item.handlerId : null;
        } else if (item.message.length > 0 && type !== 0) {
          // Parse, Bind, Describe, Execute, Close, Flush…: the sequence continues until Sync.
          this.owner = item.handlerId;
        }
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }
}

/**
 * Starts PGlite (with pgvector loaded) behind a PostgreSQL wire-protocol socket on loopback, so the app
 * reaches it through postgres.js exactly as it reaches a real server.
 *
 * @param opts.dataDir folder to persist into; omit for an in-memory database (tests)
 * @param opts.port TCP port on 127.0.0.1; 0 picks a free one
 */
export async function startEmbeddedPostgres(opts: { dataDir?: string; port?: number } = {}): Promise<EmbeddedPostgres> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir: opts.dataDir, extensions: { vector } });
  await pg.exec("CREATE EXTENSION IF NOT EXISTS vector");
  // The handler's option type names pglite-socket's own queue class (private members); ours has its public shape.
  const queryQueue = new ProtocolAwareQueue(pg) as unknown as PGLiteSocketHandlerOptions["queryQueue"];
  const handlers = new Set<PGLiteSocketHandler>();
  const server = net.createServer((socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true });
    handlers.add(handler);
    handler.addEventListener("close", () => handlers.delete(handler));
    handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("embedded PostgreSQL did not get a TCP port");
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    port: address.port,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const h of handlers) void h.detach(true);
      });
      await pg.close();
    },
  };
}
