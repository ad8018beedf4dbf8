/**
 * @module report/html
 * The lab report as one self-contained HTML page: inline CSS and SVG only
 * (no script, font, image or link; a `default-src 'none'` CSP says so to
 * the browser), every text from the inputs escaped, and print styles so it
 * can be filed as a PDF. Sections: run metadata, then one per battery.
 */

import { escapeHtml as e } from '../nist/summary.js';
import type { CaptureManifest, DeviceIdentity, SoftwareStamp } from './inputs.js';
import { UNIFORMITY_THRESHOLD, type CaptureLink, type DieharderRun, type LabReport, type NistRun, type NistSubtest, type NistTest, type OutcomesRun, type Verdict } from './model.js';
import { histogramSvg, proportionChartSvg } from './svg.js';

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; color: #111; margin: 2em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #333; margin-top: 2em; } h3 { margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #aaa; padding: 0.15em 0.45em; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .hash { font-family: ui-monospace, monospace; font-size: 0.9em; word-break: break-all; }
.passed { color: #176a2c; } .FAILED, .bad { color: #b00; font-weight: bold; } .na { color: #666; }
tr.FAILED td { background: #fde8e8; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; } dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #333; }
.histograms { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 0.8em; }
svg { width: 100%; height: auto; font: 9px system-ui, sans-serif; }
svg .bar { fill: #4a6fa5; } svg .expected { stroke: #c33; stroke-dasharray: 4 3; }
svg .axis { stroke: #333; } svg .grid { stroke: #ddd; } svg .band { fill: #cfe8cf; }
svg .phat { stroke: #2a7a3b; stroke-dasharray: 5 3; } svg .point { fill: #1f3b73; } svg .point.bad { fill: #c00; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h2, h3 { break-after: avoid; } figure, tr, dl.meta { break-inside: avoid; }
  section.battery { break-before: page; }
}`;

export function labReportHtml(report: LabReport): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(report.title)}</title>
<style>${CSS}
</style>
</head>
<body>
<h1>${e(report.title)}</h1>
<p>Generated ${e(report.generated)}${report.software ? ` by ${stamp(report.software)}` : ''}.</p>
${overview(report)}
${metadataSection(report)}
${report.nist.map(nistSection).join('\n')}
${report.dieharder.map(dieharderSection).join('\n')}
${report.outcomes.map(outcomesSection).join('\n')}
</body>
</html>
`;
}

// ---------------------------------------------------------------- helpers

function table(headers: readonly string[], rows: readonly string[], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}>\n<tr>${headers.map((h) => `<th>${e(h)}</th>`).join('')}</tr>\n${rows.join('\n')}\n</table>`;
}

const num = (v: string | number) => `<td class="num">${e(v)}</td>`;
const cell = (v: string | number) => `<td>${e(v)}</td>`;

function verdict(v: Verdict): string {
  return `<td class="${v === 'not applicable' ? 'na' : v}">${e(v)}</td>`;
}

function stamp(s: SoftwareStamp): string {
  return `${e(s.name)} ${e(s.version)} (<span class="hash">${e(s.digest)}</span>)`;
}

/** argv as a shell would need it typed: arguments with other characters single-quoted. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function dl(entries: readonly [string, string | undefined][]): string {
  return `<dl class="meta">${entries.filter(([, v]) => v !== undefined).map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

const code = (s: string) => `<code>${e(s)}</code>`;
const linkText = (c: CaptureLink) => `${code(c.file)} (manifest ${code(c.manifest)})`;
const hash = (s: string) => `<span class="hash">${e(s)}</span>`;

function tally(verdicts: readonly Verdict[]): string {
  const passed = verdicts.filter((v) => v === 'passed').length;
  const failed = verdicts.filter((v) => v === 'FAILED').length;
  const na = verdicts.length - passed - failed;
  return `${passed} of ${verdicts.length} passed${failed ? `, <span class="FAILED">${failed} FAILED</span>` : ''}${na ? `, ${na} not applicable` : ''}`;
}

// ---------------------------------------------------------------- sections

function overview(r: LabReport): string {
  const items = [
    ...r.nist.map((n) => `NIST SP 800-22 (${code(n.path)}): tests ${tally(n.tests.map((t) => t.verdict))}`),
    ...r.dieharder.map((d) => `dieharder (${code(d.path)}): ${d.counts.PASSED} PASSED, ${d.counts.WEAK} WEAK, ${d.counts.FAILED ? `<span class="FAILED">${d.counts.FAILED} FAILED</span>` : '0 FAILED'}`),
    ...r.outcomes.map((o) => `outcome tests on ${e(o.mapping)} (${code(o.path)}): ${tally(o.rows.map((x) => x.verdict))}`),
  ];
  return `<section id="overview"><h2>Results at a glance</h2><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul></section>`;
}

function metadataSection(r: LabReport): string {
  const software: [string, SoftwareStamp | undefined][] = [
    ['this report', r.software],
    ...r.captures.map((c): [string, SoftwareStamp | undefined] => [`capture ${c.path}`, c.software]),
    ...r.nist.map((n): [string, SoftwareStamp | undefined] => [`NIST ${n.path}`, n.software]),
    ...r.outcomes.map((o): [string, SoftwareStamp | undefined] => [`outcome tests ${o.path}`, o.software]),
  ];
  const digests = new Set(software.flatMap(([, s]) => (s ? [s.digest] : [])));
  const commands: [string, string[] | undefined][] = [
    ...r.captures.map((c): [string, string[] | undefined] => [`capture ${c.path}`, c.command]),
    ...r.nist.map((n): [string, string[] | undefined] => [`NIST ${n.path}`, undefined]),
    ...r.outcomes.map((o): [string, string[] | undefined] => [`outcome tests ${o.path}`, o.command]),
    ['this report', r.command],
  ];
  return `<section id="metadata">
<h2>Run metadata</h2>
<h3>Inputs</h3>
${table(['kind', 'file', 'SHA-256 of the file'], r.inputs.map((i) => `<tr>${cell(i.kind)}<td>${code(i.path)}</td><td>${hash(i.sha256)}</td></tr>`))}
<h3>Software identity</h3>
<p>${digests.size <= 1 ? 'Every document that records its software was written by the same build.' : `<span class="bad">Documents come from ${digests.size} different builds.</span>`}</p>
${table(['document', 'software', 'version', 'digest (SHA-256 over the installed code)'], software.map(([what, s]) => `<tr>${cell(what)}${s ? `${cell(s.name)}${cell(s.version)}<td>${hash(s.digest)}</td>` : '<td colspan="3" class="na">not recorded</td>'}</tr>`))}
<h3>Captures</h3>
${r.captures.length ? r.captures.map(captureBlock).join('\n') : '<p class="na">No capture manifest was given.</p>'}
<h3>Command lines</h3>
${table(['document', 'command'], commands.map(([what, argv]) => `<tr>${cell(what)}<td>${argv ? code(shellQuote(argv)) : '<span class="na">not recorded in the document</span>'}</td></tr>`))}
</section>`;
}

function device(d: DeviceIdentity): string {
  const details = [
    d.path && `path ${d.path}`, d.usb && `USB ${d.usb}`, d.serial && `serial ${d.serial}`, d.firmware && `firmware ${d.firmware}`,
    d.sampleBits !== undefined && `${d.sampleBits}-bit samples`, d.minEntropy !== undefined && `claimed min-entropy ${d.minEntropy} bits/sample`,
  ].filter(Boolean);
  return `${e(d.kind)}: ${e(d.description)}${details.length ? ` (${e(details.join(', '))})` : ''}`;
}

function captureBlock(c: CaptureManifest & { path: string }): string {
  return `<h4>${code(c.file)} <small>(manifest ${code(c.path)})</small></h4>
${dl([
  ['stage', e(c.stage)],
  ['source', code(c.source)],
  ['device identity', c.devices.map(device).join('<br>')],
  ['size', `${e(c.bytes.toLocaleString('en-US'))} bytes${c.outcomes ? ` (${e(c.outcomes.count.toLocaleString('en-US'))} outcomes of ${e(c.outcomes.mapping)})` : ''}`],
  ['SHA-256', hash(c.sha256)],
  ['started', e(c.started)],
  ['finished', c.finished === undefined ? undefined : e(c.finished)],
  ['duration', `${e(c.seconds.toFixed(2))} s`],
  ['FIPS 140-2 blocks', c.fips ? `${e(c.fips.passed)} passed, ${e(c.fips.rejected)} rejected; the first ${e(c.fips.startupBytes)} bytes went to the start-up tests` : undefined],
])}`;
}

function nistSection(run: NistRun): string {
  const charted = run.tests.flatMap((t) => t.subtests.filter((s) => s.counted > 0).map((s) => ({ test: t.name, label: s.label, passing: s.passing, counted: s.counted, ok: s.proportionOk })));
  const ms = [...new Set(charted.map((p) => p.counted))].sort((a, b) => a - b);
  return `<section class="battery nist">
<h2>NIST SP 800-22: ${code(run.path)}</h2>
${dl([
  ['sequences', `${e(run.sequences)} × ${e(run.bits.toLocaleString('en-US'))} bits, α = ${e(run.alpha)}`],
  ['tested bits SHA-256', run.bitsSha256 ? `${hash(run.bitsSha256)}${run.capture ? ` — all of capture ${linkText(run.capture)}` : ''}` : undefined],
  ['software', run.software ? stamp(run.software) : undefined],
])}
<p>A sub-test passes when its proportion of passing sequences (p ≥ α) is within sts-2.1.2's bounds — SP 800-22's range p̂ ± 3√(p̂(1−p̂)/m), p̂ = 1 − α, times m and truncated to integers — and the P-value of the χ² uniformity test on its p-values (10 bins; m ≥ 10) is ≥ ${UNIFORMITY_THRESHOLD}. A test passes when all its counted sub-tests do.</p>
${table(['test', 'sub-tests counted', 'proportion passing (lowest)', 'acceptable', 'uniformity P-value (lowest)', 'verdict'], run.tests.map(testRow))}
<figure>
${charted.length ? proportionChartSvg(`Proportion of passing sequences per sub-test: ${run.path}`, charted, run.alpha) : '<p class="na">No sub-test had a counted sequence.</p>'}
<figcaption>Proportion of sequences passing each sub-test (points; larger and red when outside sts's bounds), the acceptable range for its m (band; m = ${e(ms.join(', '))}) and p̂ = ${e(1 - run.alpha)} (dashed).</figcaption>
</figure>
<h3>P-value histograms</h3>
<div class="histograms">
${run.tests.filter((t) => t.verdict !== 'not applicable').map((t) => histogramFigure(t, run.sequences)).join('\n')}
</div>
<h3>Uniformity of p-values and proportion of passing sequences, per sub-test</h3>
${table(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10', 'P-value', 'proportion', 'acceptable', 'verdict', 'statistical test'], run.tests.flatMap((t) => t.subtests.map(subtestRow)), 'subtests')}
</section>`;
}

function proportionText(s: NistSubtest): string {
  return s.counted === 0 ? '—' : `${s.passing}/${s.counted} = ${(s.passing / s.counted).toFixed(4)}`;
}

function rangeText(s: NistSubtest): string {
  return s.range ? `${s.minPassing}–${s.maxPassing} of ${s.counted} (${s.range.min.toFixed(4)}–${s.range.max.toFixed(4)})` : '—';
}

function testRow(t: NistTest): string {
  const counted = t.subtests.filter((s) => s.counted > 0);
  const lowest = counted.reduce<NistSubtest | undefined>((low, s) => (!low || s.passing / s.counted < low.passing / low.counted ? s : low), undefined);
  const uniform = counted.filter((s) => s.uniformity !== null).map((s) => s.uniformity!);
  const minU = uniform.length ? Math.min(...uniform) : null;
  const which = (s: NistSubtest | undefined) => (s && t.subtests.length > 1 ? ` (${s.label.slice(t.name.length + 1)})` : '');
  return `<tr class="${t.verdict === 'FAILED' ? 'FAILED' : ''}">${cell(t.name)}${num(`${counted.length}/${t.subtests.length}`)}${num(lowest ? proportionText(lowest) + which(lowest) : '—')}${num(lowest ? rangeText(lowest) : '—')}${num(minU === null ? '—' : minU.toFixed(6))}${verdict(t.verdict)}</tr>`;
}

function subtestRow(s: NistSubtest): string {
  const u = s.uniformity === null ? '—' : `${s.uniformity.toFixed(6)}${s.uniformityOk ? '' : ' *'}`;
  const p = s.counted === 0 ? '—' : `${s.passing}/${s.counted}${s.proportionOk ? '' : ' *'}`;
  return `<tr class="${s.verdict === 'FAILED' ? 'FAILED' : ''}">${s.histogram.map(num).join('')}${num(u)}${num(p)}${num(rangeText(s))}${verdict(s.verdict)}${cell(s.label)}</tr>`;
}

function histogramFigure(t: NistTest, sequences: number): string {
  const values = t.histogram.reduce((a, b) => a + b, 0);
  const uniform = t.subtests.filter((s) => s.uniformity !== null).map((s) => s.uniformity!);
  const what = t.subtests.length > 1 ? `${values} p-values of ${t.subtests.length} sub-tests pooled` : `${values} p-values (${sequences} sequences)`;
  const u = uniform.length === 0 ? 'no uniformity P-value (m < 10)' : uniform.length === 1 ? `uniformity P = ${uniform[0]!.toFixed(6)}` : `lowest uniformity P = ${Math.min(...uniform).toFixed(6)}`;
  return `<figure class="histogram">${histogramSvg(`${t.name}: p-value histogram`, t.histogram)}<figcaption><b>${e(t.name)}</b>: ${e(what)}; ${e(u)}. Dashed: the count each bin expects.</figcaption></figure>`;
}

function dieharderSection(run: DieharderRun): string {
  const rows = run.results.map(
    (r) =>
      `<tr class="${r.assessment === 'FAILED' ? 'FAILED' : ''}">${cell(r.test)}${num(r.ntup)}${num(r.tsamples)}${num(r.psamples)}${num(r.pvalue.toFixed(8))}<td class="${r.assessment === 'PASSED' ? 'passed' : r.assessment === 'FAILED' ? 'FAILED' : 'bad'}">${e(r.assessment)}</td>${cell(r.resolvedAfter ? `WEAK, resolved after ${r.resolvedAfter} rerun(s)` : '')}</tr>`,
  );
  return `<section class="battery dieharder">
<h2>dieharder: ${code(run.path)}</h2>
<p>${e(run.counts.PASSED)} PASSED, ${e(run.counts.WEAK)} WEAK, ${e(run.counts.FAILED)} FAILED in ${e(run.runs)} dieharder run(s). The p-value is dieharder's Kolmogorov–Smirnov test of a test's psamples p-values; FAILED below 10⁻⁶ or above 1 − 10⁻⁶, WEAK below 0.005 or above 0.995 (docs/dieharder.md).</p>
${table(['test', 'ntup', 'tsamples', 'psamples', 'p-value', 'assessment', 'note'], rows)}
${run.unresolved.length ? `<p class="bad">Unresolved WEAK: ${run.unresolved.map((u) => e(`${u.test}${u.ntup !== undefined ? ` -n ${u.ntup}` : ''}: ${u.reason}`)).join('; ')}</p>` : ''}
</section>`;
}

function outcomesSection(run: OutcomesRun): string {
  const rows = run.rows.map((r) => {
    const x = r.result;
    const notes = x ? x.warnings.join('; ') : (r.skipped ?? '');
    const statistic = !x ? '—' : x.statistic === null ? '∞' : x.statistic.toFixed(4);
    return `<tr class="${r.verdict === 'FAILED' ? 'FAILED' : ''}">${cell(r.label)}${num(statistic)}${num(x?.df ?? '—')}${num(x ? x.n : '—')}${num(x ? x.pValue.toFixed(6) : '—')}${verdict(r.verdict)}${cell(notes)}</tr>`;
  });
  return `<section class="battery outcomes">
<h2>Outcome tests: ${code(run.path)}</h2>
${dl([
  ['game', e(run.mapping)],
  ['outcomes', e(run.outcomes.toLocaleString('en-US'))],
  ['CSV', `${code(run.input)}, SHA-256 ${hash(run.sha256)}${run.capture ? ` — capture ${linkText(run.capture)}` : ''}`],
  ['significance level', `α = ${e(run.alpha)}: a test with p < α is FAILED (with k tests, about k·α of them fail by chance)`],
  ['software', run.software ? stamp(run.software) : undefined],
])}
${table(['test', 'statistic', 'df', 'n', 'p-value', 'verdict', 'notes'], rows)}
</section>`;
}
