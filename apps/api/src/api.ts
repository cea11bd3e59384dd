import type { AddressInfo } from 'node:net';
import 'reflect-metadata';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventRelay } from '@invoicing/integration';
import { MongoIntegrityReader, connectMongo, createMongoAdapters, createMongoBillingAdapters, createMongoEventAdapters, type MongoAdapters, type MongoConnection, type MongoEventAdapters } from '@invoicing/integration/mongodb';
import { LogController, type FastifyError, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import pino, { type Logger } from 'pino';
import { AuthGuard, Authenticator } from './auth/auth.guard';
import { RouteAccess, authenticateBeforeBody } from './auth/route-access';
import { TokenVerifier } from './auth/token-verifier';
import { ApiModule } from './composition/api.module';
import { LoggingEventPublisher } from './composition/event-log';
import { createInvoicingContainer } from './composition/invoicing-container';
import { EVENT_STREAM_TYPE, EventOriginInterceptor } from './events';
import { webhookUrlPolicy } from './webhooks';
import type { ApiConfig } from './config';
import { mountDocs } from './docs/docs-site';
import { GUIDE_PATH, problemTypeBase } from './docs/guide';
import { DOCUMENT_PATH, REFERENCE_PATH } from './docs/site-layout';
import { HTML_MEDIA_TYPES, JSON_MEDIA_TYPES, notAcceptableHook } from './http/content-negotiation';
import { requestDeadline } from './http/deadline';
import { EtagInterceptor, IfMatchGuard } from './http/etag';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { PinoNestLogger } from './http/nest-logger';
import { useJsonBodies } from './http/json-body';
import { PROBLEM_CONTENT_TYPE } from './http/problem';
import { useXmlBodies } from './http/xml-body';
import { useCsvBodies } from './imports';
import { ProblemFilter, clientErrorHandler, sendProblem } from './http/problem.filter';
import { REQUEST_ID_HEADER, requestIdOf } from './http/request-id';
import { RouteTable } from './http/route-table';
import { RequestsInFlight } from './http/requests-in-flight';
import { noStoreForJson, secureEdge } from './http/security';
import { validationPipe } from './http/validation';

/** A running API. */
export interface RunningApi {
  readonly app: NestFastifyApplication;
  /** Where it listens, e.g. http://localhost:3000. */
  readonly url: string;
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface ApiOptions {
  /** Where the logs go (default: stdout, JSON lines). */
  readonly logDestination?: pino.DestinationStream;
  /** Emits the driver's command events (`commandStarted` …) on the connection's client: benchmarks count round trips with them. */
  readonly monitorCommands?: boolean;
}

/**
 * Builds and starts the API: connects to the database (creating missing indexes), builds the one inversify
 * container with the MongoDB adapters (invoicing and billing), and serves the use cases, the docs site and health on
 * Fastify.
 */
export async function startApi(config: ApiConfig, options: ApiOptions = {}): Promise<RunningApi> {
  const logger = pino({ level: config.logLevel, base: { service: 'invoicing-api' } }, options.logDestination);
  const database = await connectMongo({
    url: config.mongoUrl,
    dbName: config.mongoDb,
    serverSelectionTimeoutMs: config.timeouts.databaseSelectionMs,
    connectTimeoutMs: config.timeouts.databaseSelectionMs,
    socketTimeoutMs: config.timeouts.databaseSocketMs,
    monitorCommands: options.monitorCommands ?? false,
  });
  try {
    const { app: api, relay } = await buildApi(config, logger, database);
    await api.listen({ port: config.port, host: config.host });
    relay?.start();
    const { port } = api.getHttpServer().address() as AddressInfo;
    const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
    return {
      app: api,
      url,
      logger,
      async close() {
        await relay?.stop();
        await api.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Nest's Fastify error handler turns Fastify's errors (malformed JSON, body too large) into bare HttpExceptions and
 * loses their codes; ours (set in buildApi) answers them as problems, so Nest's is not installed.
 */
class ProblemFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(): ReturnType<FastifyAdapter['setErrorHandler']> {
    return this.getInstance();
  }
}

/** How often the relay looks for issued documents its writes did not seal. */
const SEAL_SWEEP_MS = 10_000;
/** How often the relay deletes expired idempotency keys (also once when it starts). */
const IDEMPOTENCY_PURGE_MS = 60 * 60 * 1000;

/**
 * The relay of this process (`EVENTS_RELAY=in-process`): the outbox to the event log and webhooks, the sealing of
 * issued documents and the purge of expired idempotency keys, under one lease so that one process of many does it at
 * a time.
 */
export function createEventRelay(config: ApiConfig, logger: Logger, adapters: MongoAdapters, events: MongoEventAdapters, requests?: RequestsInFlight): EventRelay {
  const log = logger.child({ component: 'event-relay' });
  return new EventRelay(
    {
      outbox: events.outbox,
      log: events.log,
      endpoints: events.endpoints,
      deliveries: events.deliveries,
      lease: events.lease(),
      // The relay seals what it publishes; this sweep is for what that could not seal (ADR 0022).
      chores: [
        { name: 'sealing issued documents', everyMs: SEAL_SWEEP_MS, run: () => adapters.sealer.sealPending(100, { leaveToRelay: true }) },
        // FerretDB has no TTL index: without this, every key ever used would stay.
        { name: 'purging expired idempotency keys', everyMs: IDEMPOTENCY_PURGE_MS, run: () => adapters.idempotency.purgeExpired(new Date()) },
      ],
      logger: { warn: (message, detail) => log.warn(detail ?? {}, message), error: (message, detail) => log.error(detail ?? {}, message) },
      ...(requests ? { foregroundBusy: () => requests.busy } : {}),
    },
    {
      idleMs: config.events.idleMs,
      retry: config.webhooks.retry,
      limits: { timeoutMs: config.webhooks.timeoutMs, maxResponseBytes: 64 * 1024 },
      sendConcurrency: config.webhooks.sendConcurrency,
      urlPolicy: (tenantId) => webhookUrlPolicy(config, tenantId),
    },
  );
}

async function buildApi(config: ApiConfig, logger: Logger, database: MongoConnection): Promise<{ app: NestFastifyApplication; relay: EventRelay | null }> {
  const adapters = createMongoAdapters(database, { idempotency: { lockTimeoutMs: config.timeouts.idempotencyLockMs } });
  const events = createMongoEventAdapters(database, { sealer: adapters.sealer });
  const requests = new RequestsInFlight(['/v1/events']);
  const relay = config.events.relay === 'in-process' ? createEventRelay(config, logger, adapters, events, requests) : null;
  // Billing's collections live beside the invoices', on the same connection.
  const billing = createMongoBillingAdapters(database);
  await adapters.ensureIndexes();
  await billing.ensureIndexes();
  const container = createInvoicingContainer(adapters, {
    timeZone: config.timeZone,
    publisher: new LoggingEventPublisher(logger),
    integrityReader: new MongoIntegrityReader(adapters.models),
    billing,
    billingSettings: { concurrency: config.billing.runConcurrency },
  });
  const verifier = new TokenVerifier({ keycloakUrl: config.keycloakUrl, realm: config.keycloakRealm, audience: config.audience });

  const typeBase = problemTypeBase(config.publicUrl);
  const fastify = new ProblemFastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.bodyLimit,
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    // The whole request must arrive within 30 s (else 408); its handling has its own deadline (requestDeadline).
    requestTimeout: 30_000,
    // The client's address, for the per-address rate limits, as the trusted proxies forwarded it.
    trustProxy: typeof config.trustProxy === 'object' ? [...config.trustProxy] : config.trustProxy,
    // Refusals made before routing (an undecodable URL, an over-long path segment) and by Node's HTTP parser (headers
    // too large, malformed HTTP) are problems too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendProblem(error, request, reply, typeBase),
    clientErrorHandler: clientErrorHandler(typeBase),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.register({ config, container, database, idempotency: adapters.idempotency, importJobs: adapters.importJobs, verifier, events, relay }), fastify, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // JSON only: Nest would otherwise accept form-encoded bodies too (Fastify parses JSON itself).
    bodyParser: false,
  });

  const instance = app.getHttpAdapter().getInstance();
  const routes = new RouteTable();
  useJsonBodies(instance);
  useXmlBodies(instance, XML_BODY_ROUTES);
  const authenticator = new Authenticator(verifier, await secureEdge(app, config));
  useCsvBodies(instance, CSV_BODY_ROUTES);
  instance.addHook('onSend', noStoreForJson);
  instance.addHook('onRoute', (route) => routes.add(route.method, route.url));
  instance.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  instance.addHook('onRequest', requests.hook);
  // A file upload's deadline starts once its body has arrived: a large file on a slow line took longer to send than the
  // deadline, and was answered 503 while its import went ahead.
  const sendsFile = (request: FastifyRequest) => CSV_BODY_ROUTES.includes(request.routeOptions.url ?? '');
  instance.addHook('onRequest', requestDeadline(config.timeouts.requestMs, (error, request, reply) => sendProblem(error, request, reply, typeBase), (request) => !sendsFile(request)));
  instance.addHook('preHandler', requestDeadline(config.timeouts.requestMs, (error, request, reply) => sendProblem(error, request, reply, typeBase), sendsFile));
  instance.addHook('onRequest', notAcceptableHook(mediaTypesOf));
  // Last of the hooks that run before the body is read: the caller, its rate limits and the route's permission (the
  // guard checks the permission again after, and does not count the caller twice). Learnt once Nest has routed.
  const access = new RouteAccess();
  instance.addHook('onRequest', authenticateBeforeBody(authenticator, access));
  instance.addHook('onReady', async () => {
    const unknown = access.keys().filter((key) => {
      const [method = '', url = ''] = key.split(' ');
      return !instance.hasRoute({ method: method as HTTPMethods, url });
    });
    // Such a route would read its body before its caller is known: a mistake of this file, not of a request.
    if (unknown.length > 0) throw new Error(`routes the early authentication does not find: ${unknown.join(', ')}`);
  });
  // Errors raised before a route runs (body parsing, size) never reach Nest's filters.
  instance.setErrorHandler((error, request, reply) => sendProblem(error, request, reply, typeBase, routes));

  const reflector = app.get(Reflector);
  app.useGlobalFilters(new ProblemFilter(typeBase, routes));
  app.useGlobalGuards(new AuthGuard(reflector, authenticator), new IfMatchGuard(reflector));
  app.useGlobalInterceptors(new EventOriginInterceptor(), new IdempotencyInterceptor(reflector, adapters.idempotency, typeBase), new EtagInterceptor());
  app.useGlobalPipes(validationPipe());

  mountDocs(app, config);
  await app.init();
  access.learn(app);
  // Fetch the realm's keys now: the first request does not wait for them, and a wrong KEYCLOAK_URL shows at once.
  await verifier.keys().catch((error: unknown) => logger.warn({ err: error }, 'cannot fetch the realm\'s signing keys yet; requests will retry'));
  return { app, relay };
}

/** The routes that take an e-invoice file as their body, and those that answer one. */
const XML_BODY_ROUTES: readonly string[] = ['/v1/e-invoices/validate', '/v1/e-invoices/import'];
const XML_ANSWER_ROUTES: readonly string[] = ['/v1/invoices/:invoiceId/e-invoice'];
/** The routes that answer a PDF. */
const PDF_ANSWER_ROUTES: readonly string[] = ['/v1/invoices/:invoiceId/pdf'];
/** The routes that take a CSV file as their body, and those that may answer one. */
const CSV_BODY_ROUTES: readonly string[] = ['/v1/receivables-imports'];
const CSV_ANSWER_ROUTES: readonly string[] = ['/v1/receivables-imports/:importId/errors'];

/** What a route answers, for `Accept`: the API and the document JSON, the docs pages HTML; static files as they are. */
function mediaTypesOf(route: string): readonly string[] | undefined {
  if (XML_ANSWER_ROUTES.includes(route)) return ['application/xml', PROBLEM_CONTENT_TYPE];
  if (CSV_ANSWER_ROUTES.includes(route)) return ['text/csv', PROBLEM_CONTENT_TYPE];
  if (PDF_ANSWER_ROUTES.includes(route)) return ['application/pdf', PROBLEM_CONTENT_TYPE];
  if (route === '/v1/events') return [...JSON_MEDIA_TYPES, EVENT_STREAM_TYPE];
  if (route.startsWith('/v1/') || route.startsWith('/health/') || route === DOCUMENT_PATH) return JSON_MEDIA_TYPES;
  if ([REFERENCE_PATH, `${REFERENCE_PATH}/`, `${REFERENCE_PATH}/index.html`].includes(route) || route.startsWith(GUIDE_PATH)) return HTML_MEDIA_TYPES;
  return undefined;
}
