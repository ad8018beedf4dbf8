/**
 * @module tokens
 * Bearer tokens for game servers (`outcomes`) and operators (`admin`). Only
 * SHA-256 of a token is stored; the token is shown once, when created.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { LogStore, Scope, TokenRow } from './store/log-store.js';

export const SCOPES: readonly Scope[] = ['outcomes', 'admin'];
const TOKEN = /^rsk_[A-Za-z0-9_-]{43}$/;
const CACHE_MS = 5_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface NewToken {
  token: string;
  row: TokenRow;
}

export async function createToken(store: LogStore, scopes: Scope[], label: string): Promise<NewToken> {
  const token = `rsk_${randomBytes(32).toString('base64url')}`;
  const row: TokenRow = { id: `tok_${randomBytes(6).toString('hex')}`, hash: hashToken(token), scopes, label, created: Date.now(), revoked: null };
  await store.addToken(row);
  return { token, row };
}

export type AuthResult = { ok: true; token: TokenRow } | { ok: false; status: 401 | 403; detail: string };

/** Checks bearer tokens, caching lookups briefly: a revocation applies within CACHE_MS. */
export class TokenAuth {
  #cache = new Map<string, { row: TokenRow | null; at: number }>();

  constructor(private readonly store: LogStore) {}

  async check(authorization: string | undefined, scope: Scope): Promise<AuthResult> {
    if (!authorization) return { ok: false, status: 401, detail: 'Authorization: a bearer token is required' };
    // RFC 9110 §11.1: the scheme name is case-insensitive.
    const match = /^Bearer +(\S+)$/i.exec(authorization);
    if (!match || !TOKEN.test(match[1]!)) return { ok: false, status: 401, detail: 'Authorization: expected "Bearer rsk_…"' };
    const row = await this.#lookup(hashToken(match[1]!));
    if (!row || row.revoked !== null) return { ok: false, status: 401, detail: 'Authorization: unknown or revoked token' };
    if (!row.scopes.includes(scope)) return { ok: false, status: 403, detail: `token ${row.id} lacks the ${scope} scope` };
    return { ok: true, token: row };
  }

  async #lookup(hash: string): Promise<TokenRow | null> {
    const now = Date.now();
    const hit = this.#cache.get(hash);
    if (hit && now - hit.at < CACHE_MS) return hit.row;
    const row = await this.store.tokenByHash(hash);
    if (this.#cache.size > 10_000) this.#cache.clear(); // unknown tokens must not grow memory without bound
    this.#cache.set(hash, { row, at: now });
    return row;
  }
}
