/**
 * @module store/postgres-leases
 * Writer leases on PostgreSQL (docs/scale.md): one row per chain with its
 * holder, a fencing token bumped on every acquisition, and an expiry on the
 * database's clock. Each operation is one statement, so two instances can
 * never both acquire a lease, and instance clocks do not matter.
 *
 * Acquisitions lock the row with SKIP LOCKED: an append in progress holds
 * the row FOR SHARE until it commits (postgres.ts), and a takeover waits for
 * the next scan instead of queueing behind a writer that may be paused.
 */

import type { ChainLeases, Fence, LeaseGrant, LeaseRow } from './log-store.js';

/** Runs one statement and returns its rows (errors already StoreUnavailableError). */
export type Query = <T extends object>(sql: string, args: unknown[]) => Promise<T[]>;

export const LEASES_MIGRATION = `CREATE TABLE leases (
     chain TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     token BIGINT NOT NULL CHECK (token > 0),
     expires TIMESTAMPTZ NOT NULL,
     previous TEXT,
     origin TEXT,
     claimant TEXT,
     claim_expires TIMESTAMPTZ
   );
   CREATE FUNCTION rngseal_fencing_token() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.chain <> OLD.chain OR NEW.token < OLD.token THEN RAISE EXCEPTION 'a lease keeps its chain and its fencing token never decreases'; END IF;
       RETURN NEW;
     END $$;
   CREATE TRIGGER leases_fencing_token BEFORE UPDATE ON leases
     FOR EACH ROW EXECUTE FUNCTION rngseal_fencing_token();`;

const UNTIL = "now() + $3 * interval '1 millisecond'";

/** Bumps the token and records who held the lease before; `$1` chain, `$2` holder, `$3` ms. */
const TAKE = `UPDATE leases SET previous = holder, holder = $2, token = token + 1, expires = ${UNTIL}, claimant = NULL, claim_expires = NULL`;

interface GrantRow {
  token: number;
  previous: string | null;
  origin: string | null;
}

export class PostgresLeases implements ChainLeases {
  constructor(private readonly query: Query) {}

  async acquire(chain: string, holder: string, ms: number, origin: string): Promise<LeaseGrant | null> {
    const [created] = await this.query<GrantRow>(
      `INSERT INTO leases (chain, holder, token, expires, origin) VALUES ($1, $2, 1, ${UNTIL}, $4)
       ON CONFLICT (chain) DO NOTHING RETURNING token, previous, origin`,
      [chain, holder, ms, origin],
    );
    if (created) return grant(chain, holder, ms, created);
    // The chain's own instance ignores claims: it is the one that makes them.
    const [taken] = await this.query<GrantRow>(
      `${TAKE}, origin = $4 WHERE chain = (SELECT chain FROM leases WHERE chain = $1 AND (expires <= now() OR holder = $2) FOR UPDATE SKIP LOCKED)
       RETURNING token, previous, origin`,
      [chain, holder, ms, origin],
    );
    return taken ? grant(chain, holder, ms, taken) : null;
  }

  async takeOver(chain: string, holder: string, ms: number): Promise<LeaseGrant | null> {
    const [taken] = await this.query<GrantRow>(
      `${TAKE} WHERE chain = (SELECT chain FROM leases WHERE chain = $1 AND expires <= now()
         AND (claimant IS NULL OR claim_expires <= now() OR claimant = $2) FOR UPDATE SKIP LOCKED)
       RETURNING token, previous, origin`,
      [chain, holder, ms],
    );
    return taken ? grant(chain, holder, ms, taken) : null;
  }

  async renew(f: Fence & { chain: string }): Promise<'held' | 'claimed' | 'lost'> {
    const [row] = await this.query<{ claimed: boolean }>(
      `UPDATE leases SET expires = now() + $4 * interval '1 millisecond' WHERE chain = $1 AND holder = $2 AND token = $3
       RETURNING claimant IS NOT NULL AND claimant <> holder AND claim_expires > now() AS claimed`,
      [f.chain, f.holder, f.token, f.ms],
    );
    return !row ? 'lost' : row.claimed ? 'claimed' : 'held';
  }

  async claim(chain: string, claimant: string, ms: number): Promise<void> {
    await this.query(
      `UPDATE leases SET claimant = $2, claim_expires = ${UNTIL}
       WHERE chain = (SELECT chain FROM leases WHERE chain = $1 AND holder <> $2 FOR UPDATE SKIP LOCKED)`,
      [chain, claimant, ms],
    );
  }

  async release(f: Fence & { chain: string }): Promise<void> {
    await this.query('UPDATE leases SET expires = now() WHERE chain = $1 AND holder = $2 AND token = $3', [f.chain, f.holder, f.token]);
  }

  async expired(): Promise<string[]> {
    const rows = await this.query<{ chain: string }>(
      'SELECT chain FROM leases WHERE expires <= now() AND (claimant IS NULL OR claim_expires <= now()) ORDER BY chain',
      [],
    );
    return rows.map((r) => r.chain);
  }

  async list(): Promise<LeaseRow[]> {
    return this.query<LeaseRow>(
      `SELECT chain, holder, token, origin, (EXTRACT(EPOCH FROM expires - now()) * 1000)::bigint AS "remainingMs"
       FROM leases ORDER BY chain`,
      [],
    );
  }
}

function grant(chain: string, holder: string, ms: number, row: GrantRow): LeaseGrant {
  return { chain, holder, ms, token: row.token, previous: row.previous, origin: row.origin };
}

/**
 * The fence check of an append, first statement of its transaction: the
 * lease row must still carry this holder and token, unexpired. FOR SHARE
 * holds off a takeover until the append commits (so the new writer loads
 * these records), and the session's idle limit keeps a writer paused in
 * the middle of its transaction from holding it off for longer than a lease.
 */
export const FENCE_CHECK = `SELECT set_config('idle_in_transaction_session_timeout', $4, true) FROM leases
  WHERE chain = $1 AND holder = $2 AND token = $3 AND expires > now() FOR SHARE`;
