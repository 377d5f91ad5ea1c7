import { subscribe } from 'node:diagnostics_channel';
import { IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpMetrics, RouteSeries } from '../../metrics/http-metrics.ts';
import { byteCount } from './sizes.ts';

/** Maps a request to its route template; undefined means "no route matched". */
export type RouteResolver = (req: IncomingMessage) => string | undefined;

/** The size of the body a response sent, -1 when unknown; `extra` is what the adapter passed to {@link ExchangeObserver.observe}. */
export type ResponseBytes = (res: ServerResponse, extra: unknown) => number;

/** Node publishes here when a `node:http` server's response has been sent. */
const RESPONSE_FINISH = 'http.server.response.finish';

interface FinishMessage {
  response: ServerResponse;
  socket: object;
}

/** What the end of one request needs, kept from its start. */
interface Pending {
  t0: number;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  requestBytes: number;
  series: RouteSeries | undefined;
  extra: unknown;
}

/**
 * The requests of one connection (one socket), in the order Node answers
 * them. The request being answered is held in this object's own fields
 * (`res` undefined: none), reused by every request of a keep-alive
 * connection, so a request allocates nothing here; requests pipelined
 * behind it wait in `queue`.
 */
class Connection {
  /** The same socket's state for another observer (two instrumentations of one app), if any. */
  also: Connection | undefined = undefined;
  t0 = 0;
  req: IncomingMessage | undefined = undefined;
  res: ServerResponse | undefined = undefined;
  method = 'GET';
  requestBytes = -1;
  series: RouteSeries | undefined = undefined;
  extra: unknown = undefined;
  queue: Pending[] | undefined = undefined;

  constructor(readonly observer: ExchangeObserver) {}

  /** Makes this request the one being answered. */
  start(t0: number, req: IncomingMessage, res: ServerResponse, method: string, requestBytes: number, series: RouteSeries | undefined, extra: unknown): void {
    this.t0 = t0;
    this.req = req;
    this.res = res;
    this.method = method;
    this.requestBytes = requestBytes;
    this.series = series;
    this.extra = extra;
  }
}

/**
 * Where a socket keeps its first {@link Connection}: a symbol-keyed property
 * of the socket object, invisible to string-keyed enumeration. Every socket
 * gets it the same way, so the load is a monomorphic property read; a
 * `WeakMap` keyed by the socket (before 4 Dec 2026) cost a hash probe on
 * every request's start and end (`WeakMapLookupHashIndex`, about 0.12 µs
 * per request in a CPU profile of an Express server).
 */
const CONNECTION = Symbol('vigil.connection');
type Carrier = { [CONNECTION]?: Connection };
let subscribed = false;

/** A response was sent (any server's): the observers that await it on its socket end it. */
function finished(msg: unknown): void {
  const { socket, response } = msg as FinishMessage;
  for (let c = (socket as Carrier)[CONNECTION]; c !== undefined; c = c.also) {
    if (c.res === response) c.observer.finished(c);
  }
}

/**
 * Records `node:http` exchanges for one adapter. {@link observe} marks a
 * request's start; its end is seen with no listener on the response:
 *
 * - Node publishes every sent response on the `http.server.response.finish`
 *   diagnostics channel, with its socket. The start time waits in a state
 *   object per connection, kept on the socket under a symbol (a keep-alive
 *   connection carries its requests one after another; pipelined ones
 *   queue behind).
 * - A request whose response is never sent (the client went away, the
 *   server closed the connection) ends when its socket closes: one `close`
 *   listener per connection. It still counts, with the status the handler
 *   had set, and leaves the in-flight gauge.
 * - Requests not carried by a `node:http` socket (Fastify's `inject()`,
 *   HTTP/2 compatibility requests) get a `close` listener on the response.
 *
 * Against a listener and closure per response this measured about 2 points
 * less of a Fastify hello-world's CPU time in an A/B within the same
 * processes (docs/sdk-overhead.md, "No listener per request").
 *
 * The route is resolved when the response ends, once the router has
 * matched, unless the adapter passed the request's series at the start.
 */
export class ExchangeObserver {
  constructor(
    private readonly http: HttpMetrics,
    private readonly resolve: RouteResolver,
    private readonly responseBytes: ResponseBytes = (res) => byteCount(res.getHeader('content-length')),
  ) {
    if (!subscribed) subscribe(RESPONSE_FINISH, finished);
    subscribed = true;
  }

  /**
   * Starts recording a request; call once per request. The method and the
   * request's size are read now: read at the end, after the response was
   * written and much else allocated, each load from the request measured up
   * to a few hundred ns, likely cache misses (CPU profiles of an Express
   * server, 3 Dec 2026). `series` is the request's route series when the
   * adapter already knows it; `extra` is passed to the response-size reader.
   */
  observe(req: IncomingMessage, res: ServerResponse, series?: RouteSeries, extra?: unknown): void {
    const t0 = this.http.begin();
    const method = req.method ?? 'GET';
    const requestBytes = byteCount(req.headers['content-length']);
    const socket = req.socket;
    if (!(req instanceof IncomingMessage) || socket === null || socket === undefined) return this.observeAlone({ t0, req, res, method, requestBytes, series, extra });
    let conn = (socket as Carrier)[CONNECTION];
    while (conn !== undefined && conn.observer !== this) conn = conn.also;
    if (conn === undefined) conn = this.track(socket);
    // The common case (nothing pipelined) allocates nothing.
    if (conn.res === undefined) conn.start(t0, req, res, method, requestBytes, series, extra);
    else (conn.queue ??= []).push({ t0, req, res, method, requestBytes, series, extra });
  }

  // The closures are made here, not in observe(): a closure there that uses
  // `this` has V8 allocate observe()'s context on every call.

  /** A request with no `node:http` socket: it ends when its response closes. */
  private observeAlone(p: Pending): void {
    p.res.on('close', () => this.end(p));
  }

  /** The first request seen on `socket`: its state, and its close. */
  private track(socket: Socket): Connection {
    const carrier = socket as Carrier;
    const c = new Connection(this);
    c.also = carrier[CONNECTION];
    carrier[CONNECTION] = c;
    socket.on('close', () => this.closed(c));
    return c;
  }

  /** @internal The response `conn` awaited was sent. */
  finished(conn: Connection): void {
    this.end(conn as Pending);
    this.next(conn);
  }

  /** The request after the one just ended, if one is queued. */
  private next(conn: Connection): void {
    const p = conn.queue?.shift();
    if (p !== undefined) return conn.start(p.t0, p.req, p.res, p.method, p.requestBytes, p.series, p.extra);
    conn.req = undefined;
    conn.res = undefined;
    conn.extra = undefined;
  }

  /** The connection closed: requests still on it end now. */
  private closed(conn: Connection): void {
    while (conn.res !== undefined) {
      this.end(conn as Pending);
      this.next(conn);
    }
  }

  /** Records `p`, ended now. `p` is a {@link Connection} whose `res` is set, or a request's own record. */
  private end(p: Pending): void {
    this.http.end(p.t0, p.series ?? this.http.route(this.resolve(p.req)), p.method, p.res.statusCode, p.requestBytes, this.responseBytes(p.res, p.extra));
  }
}
