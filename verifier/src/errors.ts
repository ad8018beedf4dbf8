/**
 * @module errors
 * One error type for every failed check. `check` says which rule failed, `seq`
 * which record; tools print the message and act on the code.
 */

export type VerifyCheck =
  | 'FORMAT' // a record or receipt does not parse as the protocol says
  | 'HASH' // the stated hash is not the hash of the record's bytes
  | 'SIGNATURE' // the Ed25519 signature does not verify
  | 'KEY' // the record names a key the verifier was not given
  | 'LINK' // prev does not equal the previous record's hash
  | 'SEQ' // a gap, repeat or reordering of seq, or a foreign chain id
  | 'COMMIT' // an outcome uses an epoch with no earlier commit
  | 'REVEAL' // a revealed seed does not match its commitment, or a reveal is out of place
  | 'OUTCOME' // a recomputed result differs from the recorded one
  | 'INCLUSION'
  | 'CONSISTENCY'
  | 'CHECKPOINT'
  | 'HEALTH'; // a self-test record's verdict or policy state contradicts its own numbers

export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  constructor(
    readonly check: VerifyCheck,
    message: string,
    readonly seq?: number,
    options?: { cause?: unknown },
  ) {
    super(seq === undefined ? message : `record ${seq}: ${message}`, options);
  }
}
