/**
 * Bump allocator for the head's encoded chunk groups of one block-range
 * window: 1 MiB pages, addresses as plain numbers (page * PAGE + offset), no
 * per-chunk object. When the window is written to a block, the whole arena
 * is dropped at once; iterators still holding it keep it alive until they are
 * done (garbage collection, no use-after-free).
 */
export const PAGE = 1 << 20;
export const NIL = 0xffffffff;

export class Arena {
  readonly pages: Uint8Array[] = [];
  /** @internal offset of the next free byte in the last page */
  off = PAGE;
  bytes = 0;

  /** Reserves `len` (< PAGE) contiguous bytes; returns their address. */
  alloc(len: number): number {
    if (this.off + len > PAGE) {
      this.pages.push(new Uint8Array(PAGE));
      this.off = 0;
    }
    const addr = (this.pages.length - 1) * PAGE + this.off;
    this.off += len;
    this.bytes += len;
    return addr;
  }

  page(addr: number): Uint8Array {
    return this.pages[Math.floor(addr / PAGE)]!;
  }

  /** Bytes held by the pages (what the arena costs in memory). */
  capacity(): number {
    return this.pages.length * PAGE;
  }
}
