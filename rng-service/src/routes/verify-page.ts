/**
 * @module routes/verify-page
 * GET /verify: the player's verifier page (docs/verify-page.md), the same
 * self-contained file a player can keep and open offline, with this
 * service's verifier key filled in as the operator's announcement.
 *
 * The page's own Content-Security-Policy (script and style by hash, no
 * network) is also sent as a header, with framing refused: the page never
 * needs the network, so even a served copy cannot be made to send a receipt
 * or load foreign code.
 */

import type { FastifyInstance } from 'fastify';
import { BUILD_HINT, readVerifyPage, VERIFY_PAGE_FILE } from '../verify-page-file.js';
import { sendProblem } from './problem-handler.js';
import { errorReplies } from './schemas.js';

const POLICY = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/;
const ANNOUNCED_KEY = '<meta name="rngseal-announced-vkey" content="">';

export interface VerifyPageOptions {
  /** The built page; the repository's build output by default. */
  file?: string;
}

export async function verifyPageRoutes(app: FastifyInstance, options: VerifyPageOptions): Promise<void> {
  const file = options.file ?? VERIFY_PAGE_FILE;

  app.get('/verify', {
    schema: {
      summary: "The player's verifier page: one self-contained HTML file that checks a receipt offline (docs/verify-page.md)",
      response: { 200: { type: 'string' }, 503: errorReplies[503] },
    },
  }, async (request, reply) => {
    const page = await readVerifyPage(file);
    const policy = page === null ? undefined : POLICY.exec(page)?.[1];
    if (page === null || policy === undefined) {
      request.log.warn({ file }, 'verifier page missing or not built by scripts/build-verify-page.mjs');
      return sendProblem(reply, { title: 'Verifier page not built', status: 503, detail: `the verifier page is not built on this server; ${BUILD_HINT}`, instance: '/verify' });
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', `${policy}; frame-ancestors 'none'`)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(page.replace(ANNOUNCED_KEY, () => `<meta name="rngseal-announced-vkey" content="${escapeAttribute(app.services.transparency.verifierKey)}">`));
  });
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
