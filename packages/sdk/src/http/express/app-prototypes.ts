import { IncomingMessage, ServerResponse, type Server } from 'node:http';
import { ownSymbol } from '../node/own-symbol.ts';

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
 * its own `IncomingMessage` / `ServerResponse` is left alone). On by
 * default on every Node: Node 24's V8 keeps those transitions, so requests
 * share their shapes there either way, but Express still changes each
 * request's and response's prototype, and built with the app's prototypes
 * a hello-world measured −13.1% (−17.4 … −8.3) CPU per request against
 * bare in the bench on Node 24.22 (docs/sdk-overhead.md, "Node 22 and
 * 24: the same nextTick slow path").
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/**
 * How the constructors build: from Node 22, `Reflect.construct` with Node's
 * class and the app's constructor as `new.target` (Node allocates the object
 * as for its own class); on Node 20, by calling Node's class on a `this`
 * whose prototype is the app's (there `Reflect.construct` with such a
 * `new.target` measured five times slower than that, and 1.7 times bare). Per
 * request of an Express hello-world on this host, CPU µs, one process each:
 * Node 20 bare 87.7–94.0, call 29.3–31.0, construct 152.3; Node 22 bare
 * 86.8–87.1, call 28.6–30.2, construct 23.5; Node 24 bare 23.5–25.5, call
 * 31.7–34.5, construct 20.3–23.5.
 */
const BY_CONSTRUCT = NODE_MAJOR >= 22;

type Ctor = new (...args: never[]) => unknown;

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
  // Node keeps the classes it builds requests from on the server.
  const kReq = ownSymbol(server, 'IncomingMessage');
  const kRes = ownSymbol(server, 'ServerResponse');
  if (kReq === null || kRes === null) return false;
  const s = server as unknown as Record<symbol, Ctor>;
  if (s[kReq] !== IncomingMessage || s[kRes] !== ServerResponse) return false;
  let AppRequest: Ctor;
  let AppResponse: Ctor;
  if (BY_CONSTRUCT) {
    // Node builds the object with its own class and the app's prototype.
    AppRequest = function AppRequest(socket: unknown) {
      return Reflect.construct(IncomingMessage, [socket], AppRequest);
    } as unknown as Ctor;
    AppResponse = function AppResponse(req: unknown, options: unknown) {
      return Reflect.construct(ServerResponse, [req, options], AppResponse);
    } as unknown as Ctor;
  } else {
    // Node's two classes are plain functions that initialise `this`, so each
    // can run on an object whose prototype is the app's; a class could not
    // be called so, and is left alone.
    if (!isPlainFunction(IncomingMessage) || !isPlainFunction(ServerResponse)) return false;
    const initRequest = IncomingMessage as unknown as (this: unknown, socket: unknown) => void;
    const initResponse = ServerResponse as unknown as (this: unknown, req: unknown, options: unknown) => void;
    AppRequest = function AppRequest(this: unknown, socket: unknown) {
      initRequest.call(this, socket);
    } as unknown as Ctor;
    AppResponse = function AppResponse(this: unknown, req: unknown, options: unknown) {
      initResponse.call(this, req, options);
    } as unknown as Ctor;
  }
  AppRequest.prototype = request;
  AppResponse.prototype = response;
  s[kReq] = AppRequest;
  s[kRes] = AppResponse;
  shaped.add(server);
  return true;
}
