import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { BILLING_USE_CASES } from '@invoicing/billing';
import { INTEGRITY_READER, INVOICE_USE_CASES } from '@invoicing/invoice';
import { CLOCK, ID_GENERATOR } from '@invoicing/core';
import type { IdempotencyStore, ImportJobStore } from '@invoicing/integration';
import type { EventRelay } from '@invoicing/integration';
import type { MongoConnection, MongoEventAdapters } from '@invoicing/integration/mongodb';
import type { Container } from 'inversify';
import type { ApiConfig } from '../config';
import type { TokenVerifier } from '../auth/token-verifier';
import { ADMIN_CONTROLLERS } from '../admin';
import { BILLING_CONTROLLERS, BillingRunner } from '../billing';
import { E_INVOICES_CONTROLLERS } from '../e-invoices';
import { EVENTS_CONTROLLERS } from '../events';
import { FILES_PROVIDERS } from '../files';
import { HealthController } from '../health/health.controller';
import { IMPORTS_CONTROLLERS, ReceivablesImportRunner } from '../imports';
import { INVOICES_CONTROLLERS } from '../invoices';
import { MARKETABLES_CONTROLLERS } from '../marketables';
import { PARTNERS_CONTROLLERS } from '../partners';
import { PARTNERSHIPS_CONTROLLERS } from '../partnerships';
import { PAYMENTS_CONTROLLERS } from '../payments';
import { REPORTS_CONTROLLERS } from '../reports';
import { WEBHOOKS_CONTROLLERS } from '../webhooks';
import { API_CONFIG, DATABASE, EVENT_ADAPTERS, EVENT_RELAY, IDEMPOTENCY_STORE, IMPORT_JOB_STORE, TOKEN_VERIFIER } from './tokens';

/** Every controller of the API, in the order the reference lists their tags. */
export const CONTROLLERS = [
  ...PARTNERS_CONTROLLERS,
  ...MARKETABLES_CONTROLLERS,
  ...PARTNERSHIPS_CONTROLLERS,
  ...INVOICES_CONTROLLERS,
  ...E_INVOICES_CONTROLLERS,
  ...IMPORTS_CONTROLLERS,
  ...PAYMENTS_CONTROLLERS,
  ...BILLING_CONTROLLERS,
  ...REPORTS_CONTROLLERS,
  ...EVENTS_CONTROLLERS,
  ...WEBHOOKS_CONTROLLERS,
  ...ADMIN_CONTROLLERS,
  HealthController,
];

export interface ApiDependencies {
  readonly config: ApiConfig;
  /** The one inversify container of the process: the use cases with their adapters. */
  readonly container: Container;
  readonly database: MongoConnection;
  readonly idempotency: IdempotencyStore;
  /** Accounts-receivable import jobs sent to the API. */
  readonly importJobs: ImportJobStore;
  readonly verifier: TokenVerifier;
  /** The event log, webhook endpoints and deliveries. */
  readonly events: MongoEventAdapters;
  /** This process's relay, or null when a worker relays. */
  readonly relay: EventRelay | null;
}

/**
 * The Nest module of the API. It wires nothing itself: each use case is resolved from the inversify container
 * (one composition root) and handed to Nest under its class, so controllers inject use cases by type.
 */
@Module({})
export class ApiModule {
  static register(dependencies: ApiDependencies): DynamicModule {
    const useCases: Provider[] = [...INVOICE_USE_CASES, ...BILLING_USE_CASES].map((useCase) => ({ provide: useCase, useValue: dependencies.container.get(useCase) }));
    return {
      module: ApiModule,
      controllers: CONTROLLERS,
      providers: [
        ...useCases,
        BillingRunner,
        ReceivablesImportRunner,
        ...FILES_PROVIDERS,
        { provide: CLOCK, useValue: dependencies.container.get(CLOCK) },
        { provide: ID_GENERATOR, useValue: dependencies.container.get(ID_GENERATOR) },
        { provide: IMPORT_JOB_STORE, useValue: dependencies.importJobs },
        { provide: INTEGRITY_READER, useValue: dependencies.container.get(INTEGRITY_READER) },
        { provide: API_CONFIG, useValue: dependencies.config },
        { provide: DATABASE, useValue: dependencies.database },
        { provide: IDEMPOTENCY_STORE, useValue: dependencies.idempotency },
        { provide: TOKEN_VERIFIER, useValue: dependencies.verifier },
        { provide: EVENT_ADAPTERS, useValue: dependencies.events },
        { provide: EVENT_RELAY, useValue: dependencies.relay },
      ],
    };
  }
}
