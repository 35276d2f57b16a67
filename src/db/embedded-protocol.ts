// The embedded engine runs in a worker thread that owns the data folder (docs/decisions/0015). Requests reach
// it as messages: from the server's own thread over a MessagePort, and from other `clearway` commands over a
// unix socket in the data folder. This module is both sides: the host that answers requests with a PGlite,
// and the client that turns them back into a `Database`.
//
// A transaction is a conversation: `begin` starts PGlite's own transaction (which holds PGlite's lock, so no
// other client's statement runs inside it), statements name it, and `end` commits or rolls it back. A client
// that goes away (a command killed, a closed socket) has its open transactions rolled back.
import net from 'node:net';
import v8 from 'node:v8';
import type { PGlite, Transaction } from '@electric-sql/pglite';

export type Request =
  | { id: number; op: 'query'; tx?: number; sql: string; params: unknown[] }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'exec'; sql: string }
  /** From the owning process only: start serving the data folder's socket. */
  | { id: number; op: 'share' };

/** A request before the client numbers it. */
export type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

export interface RawResult {
  rows: unknown[];
  /** Missing when PGlite returned neither a result nor an error (a silent GEOS failure, decision 0003). */
  command?: string;
  affectedRows?: number;
}

/** An error as it travels: PostgreSQL's fields (code, detail, ...) survive so callers can tell a unique key from a deadlock. */
export type WireError = { name: string; message: string } & Record<string, unknown>;

export type Response =
  | { id: number; ok: true; result?: RawResult; results?: RawResult[]; tx?: number }
  | { id: number; ok: false; error: WireError };

const ERROR_FIELDS = ['code', 'detail', 'hint', 'position', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'severity', 'routine'];

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const wire: WireError = { name: error.name, message: error.message };
  for (const field of ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (value !== undefined && (typeof value === 'string' || typeof value === 'number')) wire[field] = value;
  }
  return wire;
}

export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  Object.assign(error, wire);
  return error;
}

const plain = (result: { rows: unknown[]; command?: string; affectedRows?: number }): RawResult => ({
  rows: result.rows,
  command: result.command,
  affectedRows: result.affectedRows,
});

class RolledBack extends Error {}

interface OpenTransaction {
  /** Null until PGlite has started it. */
  tx: Transaction | null;
  finish: (commit: boolean) => void;
  done: Promise<void>;
}

/**
 * Answers requests against one PGlite. Each client (the server's thread, a socket) gets a session; the
 * session's open transactions are rolled back when it ends.
 */
export class EmbeddedHost {
  private nextTx = 1;
  private readonly open = new Map<number, OpenTransaction>();

  constructor(private readonly pglite: PGlite) {}

  session(): { handle(request: Request): Promise<Response>; end(): Promise<void> } {
    const mine = new Set<number>();
    return {
      handle: async (request) => {
        try {
          return await this.handle(request, mine);
        } catch (error) {
          return { id: request.id, ok: false, error: toWireError(error) };
        }
      },
      end: async () => {
        await Promise.all([...mine].map((tx) => this.finish(tx, false).catch(() => undefined)));
      },
    };
  }

  private async handle(request: Request, mine: Set<number>): Promise<Response> {
    switch (request.op) {
      case 'query': {
        const target = request.tx === undefined ? this.pglite : (this.open.get(request.tx)?.tx ?? undefined);
        if (!target) throw new Error(`transaction ${request.tx} is not open (it ended or its client went away)`);
        return { id: request.id, ok: true, result: plain(await target.query(request.sql, request.params)) };
      }
      case 'exec':
        return { id: request.id, ok: true, results: (await this.pglite.exec(request.sql)).map(plain) };
      case 'begin': {
        // The entry exists before PGlite starts the transaction (it may wait for another one to end), so a
        // client that goes away meanwhile still has it rolled back instead of left waiting for ever.
        const id = this.nextTx++;
        let finish!: (commit: boolean) => void;
        const decided = new Promise<boolean>((r) => (finish = r));
        let started!: () => void;
        const running = new Promise<void>((r) => (started = r));
        const entry: OpenTransaction = { tx: null, finish, done: Promise.resolve() };
        this.open.set(id, entry);
        mine.add(id);
        entry.done = this.pglite
          .transaction(async (tx) => {
            entry.tx = tx;
            started();
            if (!(await decided)) throw new RolledBack();
          })
          .then(
            () => undefined,
            (error: unknown) => {
              if (!(error instanceof RolledBack)) throw error;
            },
          )
          .finally(() => {
            this.open.delete(id);
            mine.delete(id);
          });
        // Begin itself can fail (the engine closed): then there is no transaction to report.
        await Promise.race([running, entry.done]);
        if (!entry.tx) throw new Error('the transaction could not start');
        return { id: request.id, ok: true, tx: id };
      }
      case 'end':
        await this.finish(request.tx, request.commit);
        return { id: request.id, ok: true };
      case 'share':
        throw new Error('only the process that holds the data folder shares it');
    }
  }

  private async finish(tx: number, commit: boolean): Promise<void> {
    const open = this.open.get(tx);
    if (!open) throw new Error(`transaction ${tx} is not open`);
    open.finish(commit);
    await open.done;
  }
}

/** How requests travel: postMessage to a worker, or frames on a socket. */
export interface Transport {
  send(request: Request): void;
  /** Called with every response; `onClose` when the other side is gone (its pending requests fail). */
  listen(onResponse: (response: Response) => void, onClose: (reason: Error) => void): void;
  close(): Promise<void>;
}

/** Sends requests and matches responses by id. */
export class EmbeddedClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>();
  private closedBecause: Error | null = null;

  constructor(private readonly transport: Transport) {
    transport.listen(
      (response) => {
        const waiting = this.pending.get(response.id);
        this.pending.delete(response.id);
        waiting?.resolve(response);
      },
      (reason) => {
        this.closedBecause = reason;
        for (const waiting of this.pending.values()) waiting.reject(reason);
        this.pending.clear();
      },
    );
  }

  async request(body: RequestBody): Promise<Response & { ok: true }> {
    if (this.closedBecause) throw this.closedBecause;
    const id = this.nextId++;
    const response = await new Promise<Response>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.transport.send({ ...body, id } as Request);
    });
    if (!response.ok) throw fromWireError(response.error);
    return response;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

// On a socket each message is a frame: a 4-byte length, then the message in V8's serialisation (which keeps
// what JSON would lose: Uint8Array for bytea, undefined, -0).
export function writeFrame(socket: net.Socket, message: unknown): void {
  const body = v8.serialize(message);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  socket.write(Buffer.concat([header, body]));
}

export function readFrames(socket: net.Socket, onMessage: (message: unknown) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (buffered.length < 4 + length) break;
      const body = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      onMessage(v8.deserialize(body));
    }
  });
}

/** Serves the host on a unix socket, for other `clearway` commands while this process holds the folder. */
export function serveOnSocket(host: EmbeddedHost, socketPath: string): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  // Roll-backs of clients that went away: closing waits for them, so the engine is never closed under one.
  const endings = new Set<Promise<void>>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const session = host.session();
    readFrames(socket, (message) => {
      void session.handle(message as Request).then((response) => {
        if (!socket.destroyed) writeFrame(socket, response);
      });
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      const ending = session.end();
      endings.add(ending);
      void ending.finally(() => endings.delete(ending));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve({
        close: async () => {
          await new Promise<void>((done) => {
            server.close(() => done());
            // A command still connected is cut off: its open transaction rolls back, and it says so.
            for (const socket of sockets) socket.destroy();
          });
          await Promise.all([...endings]);
        },
      });
    });
  });
}

/** Connects to a holder's socket: rejects when nothing listens there. */
export function socketTransport(socketPath: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        send: (request) => writeFrame(socket, request),
        listen(onResponse, onClose) {
          readFrames(socket, (message) => onResponse(message as Response));
          socket.on('error', () => undefined);
          socket.on('close', () => onClose(new Error(`The Clearway process serving the data folder went away (socket ${socketPath} closed); a change not confirmed was not made`)));
        },
        close: () => new Promise<void>((done) => {
          if (socket.destroyed) return done();
          socket.once('close', () => done());
          socket.end();
        }),
      });
    });
  });
}
