import { subscribe } from 'node:diagnostics_channel';
import { ServerResponse, type IncomingMessage } from 'node:http';
import { Socket } from 'node:net';

/** Told once when an exchange it claimed a slot for has ended. */
export interface SlotOwner {
  /** The response finished, or its connection closed first (then the status is what the handler had set). */
  settle(slot: ExchangeSlot): void;
}

/**
 * The state of the exchange in progress on one connection, kept from when
 * the request arrives until its response finishes. One slot per connection,
 * reused by every request on it: a request allocates nothing and adds no
 * listener. Node publishes `http.server.response.finish` on its diagnostics
 * channel as each response finishes (one subscriber for the process), and
 * one `close` listener per connection catches the exchanges a client
 * abandons. Against a `close` listener and closure per request this saved
 * (CPU profiles and paired runs of an Express hello-world, 3 Dec 2026)
 * the listener's registration in the response's event table and the
 * closure.
 */
export class ExchangeSlot {
  t0 = 0;
  method = '';
  requestBytes = -1;
  req: IncomingMessage | undefined = undefined;
  res: ServerResponse | undefined = undefined;
  /** The owner's own state for the exchange (for Fastify: the route's series and the reply). */
  a: unknown = undefined;
  b: unknown = undefined;
  owner: SlotOwner | undefined = undefined;
}

const slots = new WeakMap<Socket, ExchangeSlot>();
let subscribed = false;

function settle(s: ExchangeSlot): void {
  const owner = s.owner!;
  s.owner = undefined;
  try {
    owner.settle(s);
  } finally {
    s.req = undefined;
    s.res = undefined;
    s.a = undefined;
    s.b = undefined;
  }
}

function onFinish(msg: unknown): void {
  const { response, socket } = msg as { response: ServerResponse; socket: Socket };
  const s = slots.get(socket);
  if (s !== undefined && s.owner !== undefined && s.res === response) settle(s);
}

function onSocketClose(this: Socket): void {
  const s = slots.get(this);
  if (s !== undefined && s.owner !== undefined) settle(s);
}

/**
 * Claims the connection's slot for this exchange, or returns undefined and
 * the caller listens to the response's `close` itself: when the response is
 * not a node:http server's on a real socket (Fastify's `inject()`, HTTP/2's
 * compatibility API: no finish is published for those), or when the
 * connection's previous exchange is still open (a pipelined request, or a
 * second instrumentation of the same request).
 */
export function claimSlot(req: IncomingMessage, res: ServerResponse, owner: SlotOwner): ExchangeSlot | undefined {
  const socket = req.socket;
  if (!(socket instanceof Socket) || !(res instanceof ServerResponse)) return undefined;
  let s = slots.get(socket);
  if (s === undefined) {
    if (!subscribed) {
      subscribe('http.server.response.finish', onFinish);
      subscribed = true;
    }
    s = new ExchangeSlot();
    slots.set(socket, s);
    socket.on('close', onSocketClose);
  } else if (s.owner !== undefined) {
    return undefined;
  }
  s.owner = owner;
  s.req = req;
  s.res = res;
  return s;
}
