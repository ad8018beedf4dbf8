/**
 * A private, throwaway PostgreSQL cluster, for tests that stop, restart or
 * reconfigure the server: the shared one at 127.0.0.1:5432 serves other test
 * files running in parallel. initdb and pg_ctl come from the newest
 * /usr/lib/postgresql/N/bin (or RNGSEAL_TEST_PG_BIN); the cluster lives in a
 * temp dir and listens on 127.0.0.1 on a free port and on a Unix socket in
 * that dir. initdb refuses root, so as root it runs as the `postgres` user.
 *
 * Local (socket) connections are trusted, so psql() administers the cluster
 * whatever `hostAuth` the TCP side (the side rngseal uses) demands.
 */

import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PgClusterOptions {
  /** Authentication for TCP connections; default trust. */
  hostAuth?: 'trust' | 'scram-sha-256';
}

export type StopMode = 'smart' | 'fast' | 'immediate';

export class PgCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  /** initdb + start; call destroy() when done. */
  static async create(options: PgClusterOptions = {}): Promise<PgCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'rngseal-pg-'));
    if (process.getuid?.() === 0) {
      const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })));
      chownSync(dir, uid!, gid!);
    }
    const cluster = new PgCluster(dir, await freePort(), postgresBin());
    await cluster.#asOwner('initdb', ['-D', cluster.#data, '-U', 'postgres', '-N', '-E', 'UTF8', '--auth-local=trust', `--auth-host=${options.hostAuth ?? 'trust'}`]);
    await cluster.start();
    return cluster;
  }

  get #data(): string {
    return join(this.dir, 'data');
  }

  /** A connection string over TCP. */
  url(database = 'postgres', user = 'postgres', password?: string): string {
    const auth = password === undefined ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
    return `postgres://${auth}@127.0.0.1:${this.port}/${database}`;
  }

  /** Runs SQL as the superuser over the socket; returns psql's unaligned output. @throws with psql's stderr */
  psql(sql: string, database = 'postgres', user = 'postgres'): string {
    return execFileSync('psql', ['-h', this.dir, '-p', String(this.port), '-U', user, '-d', database, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  }

  async start(): Promise<void> {
    await this.#pgCtl(['start', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`]);
  }

  async stop(mode: StopMode = 'fast'): Promise<void> {
    await this.#pgCtl(['stop', '-m', mode]);
  }

  /** pg_ctl restart: the server's own restart, with the options it was started with. */
  async restart(mode: StopMode = 'fast'): Promise<void> {
    await this.#pgCtl(['restart', '-m', mode]);
  }

  async destroy(): Promise<void> {
    if (existsSync(join(this.#data, 'postmaster.pid'))) await this.stop('immediate').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Asynchronous, so a test's load keeps running while the server stops and starts. */
  async #pgCtl(args: string[]): Promise<void> {
    await this.#asOwner('pg_ctl', ['-D', this.#data, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', ...args]);
  }

  async #asOwner(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const [cmd, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    try {
      await run(cmd, argv as string[], { cwd: this.dir });
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`${tool} ${args.join(' ')}: ${e.stderr || e.message}`);
    }
  }
}

function postgresBin(): string {
  if (process.env.RNGSEAL_TEST_PG_BIN) return process.env.RNGSEAL_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const newest = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${root} (set RNGSEAL_TEST_PG_BIN)`);
  return join(root, newest, 'bin');
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
