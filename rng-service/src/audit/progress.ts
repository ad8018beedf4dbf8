/**
 * @module audit/progress
 * One status line for a terminal, rewritten in place at most ten times a
 * second: the pass, records done, records per second, and how far through
 * the input (bytes of a file, records of a service's head) when that is known.
 * The command draws it only when stderr is a terminal.
 */

/** The first pass reads for reveals and keys; the audit pass checks every record. */
export type AuditPhase = 'first pass' | 'audit';

export interface ProgressState {
  phase: AuditPhase;
  records: number;
  bytes: number;
  seconds: number;
  totalBytes: number | null;
  totalRecords: number | null;
}

const BAR = 24;

/** The status line, without control characters. */
export function formatProgress(p: ProgressState): string {
  const auditing = p.phase === 'audit';
  const fraction = p.totalBytes ? p.bytes / p.totalBytes : auditing && p.totalRecords ? p.records / p.totalRecords : null;
  const parts: string[] = [p.phase.padEnd(10)];
  if (fraction !== null) {
    const filled = Math.round(Math.min(1, fraction) * BAR);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${(100 * fraction).toFixed(1).padStart(5)}%`);
  }
  if (auditing) {
    const rate = p.seconds > 0 ? Math.round(p.records / p.seconds) : 0;
    parts.push(`${p.records.toLocaleString('en-US')} records`, `${rate.toLocaleString('en-US')} records/s`);
  }
  parts.push(p.totalBytes ? `${mb(p.bytes)}/${mb(p.totalBytes)} MB` : `${mb(p.bytes)} MB`);
  return parts.join('  ');
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

export class ProgressLine {
  #phase: AuditPhase | null = null;
  #started = 0;
  #drawn = 0;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly totals: { bytes: number | null; records: number | null },
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Draws the line, unless one was drawn less than 100 ms ago in the same phase. */
  update(phase: AuditPhase, records: number, bytes: number): void {
    const now = this.now();
    if (phase !== this.#phase) {
      this.#phase = phase;
      this.#started = now;
    } else if (now - this.#drawn < 100) {
      return;
    }
    this.#drawn = now;
    const state = { phase, records, bytes, seconds: (now - this.#started) / 1000, totalBytes: this.totals.bytes, totalRecords: this.totals.records };
    this.out.write(`\r\x1b[K${formatProgress(state)}`);
  }

  /** Erases the line, so the verdict starts a clean one. */
  clear(): void {
    if (this.#phase !== null) this.out.write('\r\x1b[K');
  }
}
