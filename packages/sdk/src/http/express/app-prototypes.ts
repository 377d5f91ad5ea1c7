import { IncomingMessage, ServerResponse, type Server } from 'node:http';

/**
 * Express gives every request and response its application's prototypes
 * (`Object.setPrototypeOf(req, app.request)`, Express 4's `expressInit` and
 * Express 5's `app.handle`) after Node has built them with their fields.
 * V8 before the one in Node 24 treats an object whose prototype changes once
 * it has fields as a likely prototype itself: its new hidden class keeps no
 * transitions, so every field the request then gains (`baseUrl`, `params`,
 * `route`, `statusCode`, …) makes a hidden class of its own. Each request and
 * response of an Express app then has shapes no other request had, and every
 * property access on them, Express's, Node's and the SDK's, misses V8's
 * inline caches and is looked up in its runtime: about 110 misses per
 * request of a hello-world (V8's `--log-ic`, Node 20.20, Express 5.3), most
 * of its CPU time.
 *
 * Built from the start with the application's prototypes (constructors
 * whose `prototype` is `app.request` / `app.response`, set on the server
 * Node builds them from), requests share their shapes, and Express's own
 * `setPrototypeOf` finds the prototype already in place and changes nothing.
 * The objects are what Express would have made of them: the same prototype
 * chain, `instanceof IncomingMessage` / `ServerResponse`, the same fields.
 *
 * Applied when the server still builds Node's own classes (a server given
 * its own `IncomingMessage` / `ServerResponse` is left alone), and only on
 * Node before 24, whose V8 keeps those transitions (there the constructors
 * measured slower than Node's own).
 */
export const APP_PROTOTYPES_DEFAULT = Number(process.versions.node.split('.')[0]) < 24;

type Ctor = new (...args: never[]) => unknown;

/** The server's own symbol-keyed property described `description` (Node keeps the classes it builds requests from under such symbols). */
function serverSymbol(server: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(server).find((s) => s.description === description);
}

const shaped = new WeakSet<object>();

/** Whether `f` is a `function` (callable with any `this`), not a `class`. */
function isPlainFunction(f: unknown): boolean {
  return typeof f === 'function' && /^function\b/.test(Function.prototype.toString.call(f));
}

/**
 * Makes `server` build its requests and responses with `request` and
 * `response` (an Express app's `app.request` / `app.response`) as their
 * prototypes. True when done now or before; false when the server builds
 * other classes than Node's, the prototypes do not inherit from Node's
 * classes, or this Node keeps its classes elsewhere.
 */
export function buildWithAppPrototypes(server: Server, request: unknown, response: unknown): boolean {
  if (shaped.has(server)) return true;
  if (!(request instanceof IncomingMessage) || !(response instanceof ServerResponse)) return false;
  const kReq = serverSymbol(server, 'IncomingMessage');
  const kRes = serverSymbol(server, 'ServerResponse');
  if (kReq === undefined || kRes === undefined) return false;
  const s = server as unknown as Record<symbol, Ctor>;
  if (s[kReq] !== IncomingMessage || s[kRes] !== ServerResponse) return false;
  // Node's two classes are plain functions that initialise `this` (Node 20
  // and 22), so each can run on an object whose prototype is the app's; a
  // class could not be called so, and is left alone.
  if (!isPlainFunction(IncomingMessage) || !isPlainFunction(ServerResponse)) return false;
  const initRequest = IncomingMessage as unknown as (this: unknown, socket: unknown) => void;
  const initResponse = ServerResponse as unknown as (this: unknown, req: unknown, options: unknown) => void;
  function AppRequest(this: IncomingMessage, socket: unknown): void {
    initRequest.call(this, socket);
  }
  AppRequest.prototype = request;
  function AppResponse(this: ServerResponse, req: unknown, options: unknown): void {
    initResponse.call(this, req, options);
  }
  AppResponse.prototype = response;
  s[kReq] = AppRequest as unknown as Ctor;
  s[kRes] = AppResponse as unknown as Ctor;
  shaped.add(server);
  return true;
}
