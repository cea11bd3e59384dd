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
      expect(Object.keys(entry).sort()).toEqual(['InMemoryIdempotencyStore', 'InMemoryImportJobStore', 'MAX_REFUSED_ROWS_KEPT', 'refusedRowOf']);
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
