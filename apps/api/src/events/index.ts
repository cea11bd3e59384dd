import { EventsController } from './events.controller';

export const EVENTS_CONTROLLERS = [EventsController];
export { EventOriginInterceptor, actorOf } from './event-origin.interceptor';
export { EVENT_STREAM_TYPE } from './events.controller';
export { eventSchemasForOpenApi } from './event-catalogue';
