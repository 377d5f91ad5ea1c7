/**
 * Turns a raw path into a template for servers without a router: numeric,
 * UUID and long hex/opaque segments become `:id`, the query string is dropped.
 * The result still passes through the route cap, so this only makes the kept
 * values meaningful; it is not what bounds cardinality.
 */
export function templateFromPath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path
    .split('/')
    .map((seg) => (/^\d+$/.test(seg) || /^[0-9a-f-]{16,}$/i.test(seg) || seg.length > 40 ? ':id' : seg))
    .join('/');
}
