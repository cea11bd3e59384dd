// The main entry must stay free of database drivers, so that a user who needs only what it exports (and, later, the
// file formats) does not load mongoose; the MongoDB adapters are `@invoicing/integration/mongodb`.
function refuseDrivers(): void {
  jest.doMock('mongoose', () => {
    throw new Error('mongoose was loaded');
  });
  jest.doMock('mongodb', () => {
    throw new Error('the mongodb driver was loaded');
  });
}

// Mock factories outlive `isolateModules`: take them back after each test.
afterEach(() => {
  jest.dontMock('mongoose');
  jest.dontMock('mongodb');
});

describe('@invoicing/integration', () => {
  it('loads neither mongoose nor the MongoDB driver', async () => {
    await jest.isolateModulesAsync(async () => {
      refuseDrivers();
      const entry = await import('./index');
      expect(Object.keys(entry).sort()).toEqual([
        'ATTEMPTS_KEPT',
        'DEFAULT_DELIVERY_LIMITS',
        'DEFAULT_RELAY_SETTINGS',
        'DEFAULT_RETRY_POLICY',
        'EventRelay',
        'InMemoryIdempotencyStore',
        'InMemoryImportJobStore',
        'MAX_REFUSED_ROWS_KEPT',
        'SECRET_PREFIX',
        'STRICT_URL_POLICY',
        'SYSTEM_ACTOR',
        'WEBHOOK_ENDPOINT_EVENTS',
        'WebhookUrlError',
        'WebhookVerificationError',
        'assertPublicAddress',
        'checkEndpointUrl',
        'currentEventOrigin',
        'endpointWants',
        'eventJsonOf',
        'generateWebhookSecret',
        'nextAttemptAt',
        'postDelivery',
        'refusedRowOf',
        'runAs',
        'signWebhook',
        'signingSecrets',
        'verifyWebhook',
      ]);
    });
  });
});

describe('@invoicing/integration/mongodb', () => {
  it('is where mongoose is loaded (the check above would see it)', async () => {
    await expect(
      jest.isolateModulesAsync(async () => {
        refuseDrivers();
        await import('./mongodb/index');
      }),
    ).rejects.toThrow(/mongoose was loaded|mongodb driver was loaded/);
  });
});
