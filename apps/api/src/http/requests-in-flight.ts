import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The requests this process is answering now, for the in-process event relay: its sender yields to them (ADR 0023).
 * The change feed is left out: a live stream or long poll stays open for minutes while costing nothing.
 */
export class RequestsInFlight {
  private count = 0;

  constructor(private readonly ignoredPaths: readonly string[]) {}

  get busy(): boolean {
    return this.count > 0;
  }

  /** An `onRequest` hook counting the request until its response is finished or its connection gone. */
  readonly hook = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?', 1)[0] as string;
    if (this.ignoredPaths.includes(path)) return;
    this.count += 1;
    reply.raw.once('close', () => {
      this.count -= 1;
    });
  };
}
