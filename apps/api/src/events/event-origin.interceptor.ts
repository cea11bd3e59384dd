import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { EventActor } from '@invoicing/core';
import { runAs } from '@invoicing/integration';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import type { Principal } from '../auth/principal';

/** Who the token says is calling, as events record it: a machine client by its client id, a person by subject and name. */
export function actorOf(principal: Principal): EventActor {
  if (principal.machine) return { type: 'client', id: principal.clientId };
  return { type: 'user', id: principal.subject, name: principal.name };
}

/**
 * Runs each authenticated request's handler as its caller, with its request id: every event the request's saves store
 * names them (the audit trail, docs/events.md). Work a handler starts in the background (an import, a billing run)
 * carries on as the system, which its runner sets.
 */
export class EventOriginInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = request.principal;
    if (!principal) return next.handle();
    const origin = { actor: actorOf(principal), requestId: String(request.id) };
    return new Observable((subscriber) => runAs(origin, () => next.handle().subscribe(subscriber)));
  }
}
