import { tenantId } from '@invoicing/core';
import { Partner } from '@invoicing/invoice';
import { aPartner, aTenant } from '@invoicing/invoice/testing';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectMongo, dropDatabase } from './connection';
import { createMongoAdapters } from './mongo-adapters';
import { DatabaseUnavailableError } from './mongo-errors';
import { createTestDatabase, testMongoUrl, type TestDatabase } from '../testing/mongo-test-database';

jest.setTimeout(60_000);

/** A TCP proxy in front of the real server, which the test cuts and restores to play a database going down. */
class Outage {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function target(): { host: string; port: number } {
  const url = new URL(testMongoUrl());
  return { host: url.hostname, port: Number(url.port || 27017) };
}

describe('connection', () => {
  it('fails fast with database.unavailable when nothing listens, instead of hanging', async () => {
    const closed = new Outage(target());
    await closed.open();
    const port = closed.port;
    await closed.cut();
    const began = Date.now();
    const error = await connectMongo({ url: `mongodb://127.0.0.1:${port}/invoicing`, serverSelectionTimeoutMs: 500 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({ code: 'database.unavailable' });
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('answers database.unavailable while the server is down and works again once it is back', async () => {
    const proxy = new Outage(target());
    await proxy.open();
    const mongo = await connectMongo({ url: `mongodb://127.0.0.1:${proxy.port}/`, dbName: `test_outage_${Date.now()}`, serverSelectionTimeoutMs: 1000 });
    const adapters = createMongoAdapters(mongo);
    const tenant = aTenant();
    const partner = aPartner(tenant);
    try {
      await adapters.partners.save(partner);
      expect(await mongo.ping()).toBe(true);

      await proxy.cut();
      await expect(adapters.partners.get(tenant, partner.id)).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(await mongo.ping()).toBe(false);

      await proxy.open();
      let back: unknown;
      for (let attempt = 0; attempt < 40 && back === undefined; attempt += 1) {
        back = await adapters.partners.get(tenant, partner.id).catch(() => undefined);
        if (back === undefined) await sleep(250);
      }
      expect(back).toMatchObject({ id: partner.id, version: 1 });
    } finally {
      await mongo.connection.dropDatabase().catch(() => undefined);
      await mongo.close();
      await proxy.cut();
    }
  });
});

describe('dropDatabase', () => {
  it('drops a database through a connection of its own, whether or not it exists', async () => {
    const name = `test_drop_${Date.now().toString(36)}`;
    const writer = await connectMongo({ url: testMongoUrl(), dbName: name });
    const names = async () => ((await writer.connection.getClient().db().admin().listDatabases()) as { databases: { name: string }[] }).databases.map((db) => db.name);
    try {
      await writer.connection.collection('things').insertOne({ _id: 'one' } as never);
      expect(await names()).toContain(name);
      await dropDatabase(testMongoUrl(), name);
      expect(await names()).not.toContain(name);
      await expect(dropDatabase(testMongoUrl(), name)).resolves.toBeUndefined();
    } finally {
      await writer.close();
    }
  });
});

describe('tenancy and hostile input', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('hostile');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('neutralises operators smuggled in as values (sanitizeFilter)', async () => {
    const { adapters } = database;
    const tenant = aTenant();
    const partner = aPartner(tenant);
    await adapters.partners.save(partner);
    const smuggled = { $ne: null } as unknown as string;
    // Wrapped in `$eq`, the operator is a value that matches nothing, or that the schema refuses to cast: never a match-all.
    const matchesNothing = async (read: Promise<unknown>) => {
      const outcome = await read.then(
        (found) => (found === undefined || (found as { items?: unknown[] }).items?.length === 0 ? 'nothing' : found),
        (error: Error) => (error.name === 'CastError' ? 'nothing' : error),
      );
      expect(outcome).toBe('nothing');
    };
    await matchesNothing(adapters.marketables.findBySku(tenant, smuggled));
    await matchesNothing(adapters.partnerships.list(tenant, { partnerId: smuggled as never }, {}));
    await matchesNothing(adapters.queries.list(tenant, { partnerId: smuggled as never }, {}));
    await matchesNothing(adapters.invoices.findByExternalReference(tenant, smuggled as never, smuggled as never, smuggled));
    await matchesNothing(adapters.partnerQueries.list(smuggled as never, {}, {}));
    expect((await adapters.partnerQueries.list(tenant, {}, {})).items).toHaveLength(1);
    // Aggregations are not sanitised by mongoose: their inputs are checked to be strings.
    await expect(adapters.queries.balances(tenant, smuggled as never)).rejects.toThrow(TypeError);
    await expect(adapters.queries.monthlySummary(smuggled as never, { month: '2026-01' as never })).rejects.toThrow(TypeError);
  });

  it('refuses a filter on a path the schema does not declare (strictQuery)', async () => {
    await expect(database.adapters.models.partners.find({ password: 'x' }).exec()).rejects.toThrow(/strictQuery|not in schema/i);
  });

  it("keeps one tenant's aggregate out of another's reach, even when both use the same id", async () => {
    const { adapters } = database;
    const [first, second] = [tenantId(`iso-a-${Date.now()}`), tenantId(`iso-b-${Date.now()}`)];
    const mine = aPartner(first, { legalName: 'Mine' });
    await adapters.partners.save(mine);
    // The same id in another tenant is another aggregate: creating it neither fails nor touches the first.
    const sameId = Partner.restore({ ...aPartner(second, { legalName: 'Theirs' }).toState(), id: mine.id, version: 0 });
    await adapters.partners.save(sameId);
    expect((await adapters.partners.get(first, mine.id))?.toState().legalName).toBe('Mine');
    expect((await adapters.partners.get(second, mine.id))?.toState().legalName).toBe('Theirs');
    expect(await adapters.partners.get(tenantId(`iso-c-${Date.now()}`), mine.id)).toBeUndefined();
  });
});
