import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { MongoClient, ObjectId } from 'mongodb';
import { ferretDbHandler, provisionFerretDb, startFerretDb } from './ferretdb';
import { cacheDir } from './paths';
import { clusterDir, findPostgresBin, psql, startPostgres, type RunningPostgres } from './postgresql';
import { stopProcess, type ServerProcess } from './processes';
import { requireTools } from './toolchain';

jest.setTimeout(120_000); // starts its own PostgreSQL and FerretDB (a few seconds), builds FerretDB if the cache lacks it

describe('findPostgresBin', () => {
  it('takes POSTGRESQL_BIN only when it holds initdb, postgres and psql', () => {
    expect(findPostgresBin({ POSTGRESQL_BIN: '/nonexistent' })).toBeUndefined();
    const found = findPostgresBin({ PATH: process.env.PATH });
    expect(found).toBeDefined();
    expect(findPostgresBin({ POSTGRESQL_BIN: found })).toBe(found);
  });

  it('is named, with how to install it and what to set instead, when missing', () => {
    expect(() => requireTools(['postgresql'], { POSTGRESQL_BIN: '/nonexistent' })).toThrow(
      /PostgreSQL's server.*not found in POSTGRESQL_BIN=\/nonexistent.*apt-get install postgresql.*FERRETDB_HANDLER=sqlite.*MONGO_URL/,
    );
  });
});

describe('ferretDbHandler', () => {
  it('is postgresql by default, sqlite on request, and refuses anything else by name', () => {
    expect(ferretDbHandler({})).toBe('postgresql');
    expect(ferretDbHandler({ FERRETDB_HANDLER: 'sqlite' })).toBe('sqlite');
    expect(() => ferretDbHandler({ FERRETDB_HANDLER: 'mysql' })).toThrow(/FERRETDB_HANDLER=mysql .* postgresql or sqlite/);
  });
});

describe('clusterDir', () => {
  it('keeps the cluster where asked unless root must hand it to an account that cannot reach it', () => {
    const open = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-dir-'));
    fs.chmodSync(open, 0o755);
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-dir-')); // 0700, as mkdtemp makes it
    try {
      expect(clusterDir(path.join(open, 'postgresql'), false)).toBe(path.join(open, 'postgresql'));
      expect(clusterDir(path.join(closed, 'postgresql'), false)).toBe(path.join(closed, 'postgresql'));
      expect(clusterDir(path.join(open, 'postgresql'), true)).toBe(path.join(open, 'postgresql'));
      const moved = clusterDir(path.join(closed, 'postgresql'), true);
      expect(moved).toMatch(/^\/var\/tmp\/invoicing-postgresql\/[0-9a-f]{16}$/);
      expect(clusterDir(path.join(closed, 'postgresql'), true)).toBe(moved); // the same clone finds its data again
    } finally {
      fs.rmSync(open, { recursive: true, force: true });
      fs.rmSync(closed, { recursive: true, force: true });
    }
  });
});

describe('startPostgres', () => {
  it('starts a cluster whose folder lies behind one closed to others (as root: handed to the postgres account elsewhere)', async () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'postgresql-closed-')); // 0700
    const dataDir = path.join(closed, 'postgresql');
    let pg: RunningPostgres | undefined;
    try {
      pg = await startPostgres({ bin: findPostgresBin() as string, dataDir, logFile: path.join(closed, 'postgresql.log'), ephemeral: true });

      expect(await psql(findPostgresBin() as string, pg.port, ['-c', 'SELECT current_database()'])).toBe('ferretdb');
      expect(pg.dataDir).toBe(clusterDir(dataDir));
      // What FerretDB's tables need (ADR 0002): plans per execution, frequent and cheap statistics, operators priced as
      // what they are (jsonb on TOASTed documents).
      const setting = (name: string) => psql(findPostgresBin() as string, pg?.port as number, ['-c', `SHOW ${name}`]);
      expect([await setting('plan_cache_mode'), await setting('autovacuum_analyze_scale_factor'), await setting('default_statistics_target'), await setting('cpu_operator_cost')]).toEqual([
        'force_custom_plan',
        '0.02',
        '10',
        '0.25',
      ]);
    } finally {
      if (pg) await stopProcess(pg.process);
      if (pg && pg.dataDir !== dataDir) fs.rmSync(pg.dataDir, { recursive: true, force: true });
      fs.rmSync(closed, { recursive: true, force: true });
    }
  });
});

/** The nodes of a PostgreSQL plan as FerretDB's `explain` returns it (`queryPlanner.Plan`), flattened. */
function planNodes(explain: unknown): Array<Record<string, unknown>> {
  const nodes: Array<Record<string, unknown>> = [];
  const walk = (node: Record<string, unknown>) => {
    nodes.push(node);
    for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
  };
  walk((explain as { queryPlanner: { Plan: Record<string, unknown> } }).queryPlanner.Plan);
  return nodes;
}
const indexesUsed = (explain: unknown) => planNodes(explain).flatMap((node) => (typeof node['Index Name'] === 'string' ? [node['Index Name']] : []));
const scansTable = (explain: unknown) => planNodes(explain).some((node) => node['Node Type'] === 'Seq Scan');

// Its own PostgreSQL and FerretDB, whatever MONGO_URL the run has: this is a property of the local server itself.
describe('FerretDB on PostgreSQL, with the GIN mirror of its indexes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postgresql-spec-'));
  const processes: ServerProcess[] = [];
  let pg: RunningPostgres;
  let client: MongoClient;
  const ids: ObjectId[] = [];

  beforeAll(async () => {
    fs.chmodSync(dir, 0o755);
    const bin = findPostgresBin() as string;
    pg = await startPostgres({ bin, dataDir: path.join(dir, 'postgresql'), logFile: path.join(dir, 'postgresql.log'), ephemeral: true });
    processes.push(pg.process);
    const binary = await provisionFerretDb(cacheDir(), () => undefined);
    const ferret = await startFerretDb({ binary, dataDir: path.join(dir, 'ferretdb'), logFile: path.join(dir, 'ferretdb.log'), postgresqlUrl: pg.url });
    processes.push(ferret.process);
    client = await MongoClient.connect(ferret.url, { serverSelectionTimeoutMS: 5_000 });

    // Created the way the adapters create theirs: the event trigger mirrors each index as it is made.
    const invoices = client.db('mirror_spec').collection('invoices');
    await invoices.createIndex({ tenantId: 1, partnerId: 1, issueDate: 1 });
    await invoices.createIndex({ tenantId: 1, status: 1 });
    const docs = Array.from({ length: 5_000 }, (_, i) => ({
      _id: new ObjectId(),
      tenantId: `t${i % 50}`,
      partnerId: `p${i % 500}`,
      status: i % 2 === 0 ? 'issued' : 'paid',
      memo: `m${i % 1000}`, // no index declares it
      issueDate: new Date(Date.UTC(2026, 0, 1 + (i % 300))),
    }));
    for (let i = 0; i < docs.length; i += 1_000) await invoices.insertMany(docs.slice(i, i + 1_000));
    ids.push(...docs.map((doc) => doc._id));
  });

  afterAll(async () => {
    await client?.close();
    for (const proc of processes.reverse()) await stopProcess(proc);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds by _id, by tenant and _id, and by tenant and partner through GIN indexes instead of scanning', async () => {
    const invoices = client.db('mirror_spec').collection('invoices');
    const id = ids[4_321] as ObjectId;

    for (const filter of [{ _id: id }, { tenantId: 't21', _id: id }, { tenantId: 't7', partnerId: 'p307' }]) {
      const explain = await invoices.find(filter).explain();

      expect(scansTable(explain)).toBe(false);
      expect(indexesUsed(explain).some((name) => /_gin_[0-9a-f]{12}$/.test(name))).toBe(true);
    }
  });

  it('still scans for a field no index declares: the mirror follows the adapters, it invents nothing', async () => {
    const explain = await client.db('mirror_spec').collection('invoices').find({ memo: 'm17' }).explain();

    expect(scansTable(explain)).toBe(true);
  });

  it('answers the same documents through the index as the filter means', async () => {
    const invoices = client.db('mirror_spec').collection('invoices');

    const found = await invoices.find({ tenantId: 't7', partnerId: 'p307' }).toArray();

    expect(found).toHaveLength(10); // i ≡ 7 (mod 50) and i ≡ 307 (mod 500): i = 307 + 500k, k = 0..9
    expect(found.every((doc) => doc.tenantId === 't7' && doc.partnerId === 'p307')).toBe(true);
  });

  it('mirrors indexes that existed before it was installed, once, when the stack applies it again at start', async () => {
    const partners = client.db('mirror_spec').collection('partners');
    await partners.createIndex({ tenantId: 1, name: 1 });
    const sql = (query: string) => psql(findPostgresBin() as string, pg.port, ['-c', query]);
    const mirrorsOfPartners = "SELECT indexname FROM pg_indexes WHERE schemaname = 'mirror_spec' AND indexname LIKE 'partners%\\_gin\\_%'";
    const mirrors = () => sql(`SELECT count(*) FROM (${mirrorsOfPartners}) m`);
    expect(await mirrors()).toBe('3'); // _id, tenantId, name
    await sql(`DO $$ DECLARE r record; BEGIN FOR r IN ${mirrorsOfPartners} LOOP EXECUTE format('DROP INDEX mirror_spec.%I', r.indexname); END LOOP; END $$`);
    expect(await mirrors()).toBe('0');

    expect(await sql('SELECT invoicing_stack.mirror_all()')).toBe('3');
    expect(await sql('SELECT invoicing_stack.mirror_all()')).toBe('0');
    expect(await mirrors()).toBe('3');
  });
});
