/**
 * @module web/main
 * The verifier page: reads the receipt (typed, pasted, dropped or chosen as
 * a file; read locally, never uploaded) and the verifier key, and renders
 * report.ts's verdict. Receipt content is attacker-controlled: it reaches
 * the DOM only as text, never as markup.
 */

import { reportReceipt, type Report, type StageRow } from './report.js';
import type { DrawComparison } from './recompute.js';

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`verifier page: #${id} is missing`);
  return element as T;
};

const form = byId<HTMLFormElement>('verify-form');
const receiptField = byId<HTMLTextAreaElement>('receipt');
const fileField = byId<HTMLInputElement>('receipt-file');
const dropZone = byId<HTMLDivElement>('drop-zone');
const vkeyField = byId<HTMLInputElement>('vkey');

const STATE_TEXT: Record<StageRow['state'], string> = { pass: '✓ PASS', fail: '✗ FAIL', pending: '… PENDING', 'not-checked': '– NOT CHECKED' };
const VERDICT_TEXT = {
  verified: '✓ Verified: every check passed',
  pending: '… Pending: signed, committed and published; the seed is not revealed yet',
  failed: '✗ Failed: this receipt does not verify',
} as const;

prefillAnnouncedKey();
form.addEventListener('submit', (event) => {
  event.preventDefault();
  show(reportReceipt(receiptField.value, vkeyField.value));
});
fileField.addEventListener('change', () => {
  const file = fileField.files?.[0];
  if (file) void loadFile(file);
});
wireDropZone();

/** The service that serves this page may announce its key; a standalone copy has none. */
function prefillAnnouncedKey(): void {
  const announced = document.querySelector<HTMLMetaElement>('meta[name="rngseal-announced-vkey"]')?.content ?? '';
  if (announced === '' || vkeyField.value !== '') return;
  vkeyField.value = announced;
  byId('vkey-announced').hidden = false;
}

async function loadFile(file: File): Promise<void> {
  receiptField.value = await file.text();
  setFieldError('receipt', null);
}

function wireDropZone(): void {
  // A file dropped anywhere else would replace the page.
  for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (e) => e.preventDefault());
  dropZone.addEventListener('dragover', () => dropZone.classList.add('dragging'));
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (e) => {
    dropZone.classList.remove('dragging');
    const file = e.dataTransfer?.files[0];
    if (file) void loadFile(file);
  });
}

function show(report: Report): void {
  setFieldError('receipt', null);
  setFieldError('vkey', null);
  const result = byId('result');
  if (report.kind === 'input-error') {
    result.hidden = true;
    setFieldError(report.field, report.message);
    (report.field === 'vkey' ? vkeyField : receiptField).focus();
    return;
  }
  const verdict = byId('verdict');
  verdict.textContent = VERDICT_TEXT[report.status];
  verdict.className = report.status;
  result.dataset.status = report.status;
  byId('stages').replaceChildren(...report.rows.map(stageItem));
  showDraws(report.draws, report.status);
  byId('checked').replaceChildren(...report.checked.map((line) => element('li', line)));
  byId('checked-details').hidden = report.checked.length === 0;
  result.hidden = false;
  verdict.focus();
}

function stageItem(row: StageRow): HTMLLIElement {
  const item = element('li');
  item.dataset.stage = row.stage;
  item.dataset.state = row.state;
  if (row.check) item.dataset.check = row.check;
  item.append(element('span', STATE_TEXT[row.state], 'state'), element('span', row.title, 'title'));
  if (row.detail) item.append(element('span', row.check ? `${row.check}: ${row.detail}` : row.detail, 'detail'));
  return item;
}

function showDraws(draws: DrawComparison[] | string, status: 'verified' | 'pending' | 'failed'): void {
  const body = byId('draws').querySelector('tbody')!;
  const note = byId('draws-note');
  if (typeof draws === 'string') {
    body.replaceChildren();
    note.textContent = `No draws to show: ${draws}.`;
    return;
  }
  note.textContent =
    status === 'failed'
      ? 'Not verified: the receipt failed a check above, so these results prove nothing, whether or not they recompute.'
      : 'Each result recomputed in this page from the key material and the client seed, beside the signed one.';
  body.replaceChildren(...draws.map(drawRow));
}

function drawRow(d: DrawComparison): HTMLTableRowElement {
  const row = element('tr');
  row.dataset.draw = String(d.index);
  const recomputed = 'result' in d.recomputed ? d.recomputed.result : `cannot recompute: ${d.recomputed.unavailable}`;
  const same = 'result' in d.recomputed ? (d.recomputed.result === d.signed ? 'same' : 'differs') : 'unknown';
  row.append(
    cell('Draw', `${d.index} (nonce ${d.nonce})`),
    cell('Mapping and params', `${d.mapping} ${d.params}`),
    cell('Signed result', d.signed, 'signed'),
    cell('Recomputed here', recomputed, 'recomputed'),
    cell('Same?', same === 'same' ? '✓ same' : same === 'differs' ? '✗ differs' : '? unknown', same),
  );
  return row;
}

/** A cell that names its column, for the stacked layout on narrow screens. */
function cell(label: string, text: string, className?: string): HTMLTableCellElement {
  const td = element('td', text, className);
  td.dataset.label = label;
  return td;
}

function setFieldError(field: 'receipt' | 'vkey', message: string | null): void {
  const error = byId(`${field}-error`);
  const input = field === 'vkey' ? vkeyField : receiptField;
  error.textContent = message ?? '';
  error.hidden = message === null;
  if (message === null) input.removeAttribute('aria-invalid');
  else input.setAttribute('aria-invalid', 'true');
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}
