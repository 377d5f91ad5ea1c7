/**
 * The object's own symbol-keyed property described `description`, or null.
 * Node and the frameworks keep internals under such symbols (Node's request
 * classes on a server, Fastify's route context on a request), which the
 * adapters find once by description.
 */
export function ownSymbol(obj: object, description: string): symbol | null {
  return Object.getOwnPropertySymbols(obj).find((s) => s.description === description) ?? null;
}
