import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, findPostgresBin, provisionFerretDb, startFerretDb, startPostgres, stopProcess, type RunningFerretDb, type RunningPostgres, type ServerProcess } from '@invoicing/stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether any process of the group `pgid` still runs (zombies, whose reaping is not ours to wait for, do not). */
function groupRuns(pgid: number): boolean {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid pgrp …`: comm may hold spaces and parentheses, so read after its last `)`.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // gone while we looked
    }
  }
  return false;
}

/** SIGKILL to a server's whole process group (PostgreSQL's backends too), as a crash would; waits until none runs. */
async function crash(proc: ServerProcess): Promise<void> {
  process.kill(-proc.pid, 'SIGKILL');
  for (let waited = 0; groupRuns(proc.pid); waited += 50) {
    if (waited > 20_000) throw new Error(`${proc.name} (process group ${proc.pid}) still runs 20 s after SIGKILL`);
    await sleep(50);
  }
}

/**
 * A PostgreSQL and a FerretDB of a spec's own, in a temporary folder: what a fault spec freezes and kills, so that no
 * other test (nor the shared stack, whose processes are never touched) is hurt. Takes a few seconds to start.
 */
export class OwnDatabase {
  private constructor(
    private readonly dir: string,
    private readonly postgresBin: string,
    private readonly ferretBinary: string,
    private postgres: RunningPostgres,
    private ferret: RunningFerretDb,
  ) {}

  static async start(label: string): Promise<OwnDatabase> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `api-${label}-`));
    fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as another account that must reach its folder
    const bin = findPostgresBin();
    if (!bin) throw new Error("PostgreSQL's server binaries are not installed (apt-get install postgresql, or set POSTGRESQL_BIN)");
    let postgres: RunningPostgres | undefined;
    try {
      postgres = await startPostgres({ bin, dataDir: path.join(dir, 'postgresql'), logFile: path.join(dir, 'postgresql.log'), ephemeral: true });
      const binary = await provisionFerretDb(cacheDir(), () => undefined);
      const ferret = await startFerretDb({ binary, dataDir: path.join(dir, 'ferretdb'), logFile: path.join(dir, 'ferretdb.log'), postgresqlUrl: postgres.url });
      return new OwnDatabase(dir, bin, binary, postgres, ferret);
    } catch (error) {
      if (postgres) await stopProcess(postgres.process);
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The MongoDB URL of its FerretDB (the same after a restart). */
  get url(): string {
    return this.ferret.url;
  }

  /** FerretDB stops answering but keeps its sockets open, as a hung server does (SIGSTOP). */
  freeze(): void {
    process.kill(this.ferret.process.pid, 'SIGSTOP');
  }

  /** Lets a frozen FerretDB run again; nothing when it is not frozen (or no longer runs). */
  thaw(): void {
    try {
      process.kill(this.ferret.process.pid, 'SIGCONT');
    } catch {
      // gone: killed and not restarted
    }
  }

  /** Kills FerretDB (SIGKILL) and starts it again on the same port and storage; resolves once it serves. */
  async crashFerretDb(): Promise<void> {
    await this.killFerretDb();
    await this.restartFerretDb();
  }

  /** Kills FerretDB (SIGKILL), as a crash would; it stays down until {@link restartFerretDb}. */
  async killFerretDb(): Promise<void> {
    await crash(this.ferret.process);
  }

  /** Starts the killed FerretDB again on the same port and storage; resolves once it serves. */
  async restartFerretDb(): Promise<void> {
    this.ferret = await startFerretDb({
      binary: this.ferretBinary,
      dataDir: path.join(this.dir, 'ferretdb'),
      logFile: path.join(this.dir, 'ferretdb.log'),
      postgresqlUrl: this.postgres.url,
      port: Number(new URL(this.ferret.url).port),
    });
  }

  /** Kills PostgreSQL (SIGKILL to the postmaster and its backends) and starts it again on the same port and data. */
  async crashPostgres(): Promise<void> {
    await this.killPostgres();
    await this.restartPostgres();
  }

  /** Kills PostgreSQL (SIGKILL to the postmaster and its backends); FerretDB runs on without it until {@link restartPostgres}. */
  async killPostgres(): Promise<void> {
    await crash(this.postgres.process);
  }

  /** Starts the killed PostgreSQL again on the same port and data (crash recovery); resolves once it accepts connections. */
  async restartPostgres(): Promise<void> {
    this.postgres = await startPostgres({
      bin: this.postgresBin,
      dataDir: path.join(this.dir, 'postgresql'),
      logFile: path.join(this.dir, 'postgresql.log'),
      ephemeral: true,
      port: this.postgres.port,
    });
  }

  /** Thaws, stops both servers and deletes their data. */
  async stop(): Promise<void> {
    this.thaw();
    await stopProcess(this.ferret.process);
    await stopProcess(this.postgres.process);
    fs.rmSync(this.postgres.dataDir, { recursive: true, force: true }); // elsewhere when root's clone is closed to others
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
