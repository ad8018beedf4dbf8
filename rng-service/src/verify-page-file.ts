/**
 * @module verify-page-file
 * The player's verifier page as scripts/build-verify-page.mjs builds it (one
 * self-contained HTML file), for GET /verify and `rngseal verify --page`.
 * Both src/ and dist/ sit two levels below the repository root.
 */

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const VERIFY_PAGE_FILE = fileURLToPath(new URL('../../verifier/dist-web/verify.html', import.meta.url));

export const BUILD_HINT = 'build it with `npm run build` (or `node scripts/build-verify-page.mjs`) in the rngseal checkout';

/** The page's text, or null when it has not been built. */
export async function readVerifyPage(file = VERIFY_PAGE_FILE): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
