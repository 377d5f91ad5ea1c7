// The slice of autocannon's API bench/sdk-overhead.ts and bench/sdk-instructions.ts use (the package ships no types).
declare module 'autocannon' {
  interface Result {
    requests: { average: number; total: number };
    non2xx: number;
    errors: number;
  }
  function autocannon(opts: { url: string; connections?: number; /** Requests in flight per connection. */ pipelining?: number; duration?: number; /** Stop after this many requests. */ amount?: number }): Promise<Result>;
  export default autocannon;
}
