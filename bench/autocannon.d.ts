// autocannon 9 ships no typings (and @types/autocannon is not installed): the part of its programmatic API the
// benchmarks use, as documented in its README.
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Worker threads firing the requests (0: this thread). */
      workers?: number;
      headers?: Record<string, string>;
      /** Seconds without an answer before a request counts as a timeout. */
      timeout?: number;
    }

    /** A histogram summary; latencies in milliseconds (whole numbers), rates per second. */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
      totalCount?: number;
    }

    interface Result {
      url: string;
      connections: number;
      /** Seconds, as measured. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      resets: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: Histogram;
      requests: Histogram & { sent: number };
      throughput: Histogram;
    }
  }

  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
