/**
 * @module report/svg
 * The report's plots as inline SVG, drawn from geometry.ts: no scripts, no
 * fonts, no external references (not even the SVG namespace URL, which
 * inline SVG in HTML does not need), every text escaped. Marks carry classes
 * (`bar`, `expected`, `band`, `point`, `bad`) for the page's CSS and for
 * tests, and a `<title>` with their value (a tooltip in a browser).
 */

import { escapeHtml as e } from '../nist/summary.js';
import { histogramGeometry, proportionChartGeometry, type ProportionInput } from './geometry.js';

/** A coordinate with at most two decimals: enough at these sizes, and stable text. */
function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function open(kind: string, width: number, height: number, title: string): string {
  return `<svg class="${kind}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${e(title)}"><title>${e(title)}</title>`;
}

function text(x: number, y: number, value: string, attrs = ''): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ''}>${e(value)}</text>`;
}

/** Ten bars C1 … C10 of a p-value histogram, with the count each bin expects as a dashed line. */
export function histogramSvg(title: string, counts: readonly number[]): string {
  const g = histogramGeometry(counts);
  const f = g.frame;
  const right = f.width - f.right;
  const parts = [open('histogram', f.width, f.height, title)];
  for (const [i, b] of g.bars.entries()) {
    const range = `[${(i / 10).toFixed(1)}, ${((i + 1) / 10).toFixed(1)}${i === counts.length - 1 ? ']' : ')'}`;
    parts.push(`<rect class="bar" x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}"><title>C${i + 1} ${e(range)}: ${e(b.count)}</title></rect>`);
  }
  parts.push(
    `<line class="axis" x1="${f.left}" y1="${n(g.baseline)}" x2="${right}" y2="${n(g.baseline)}"/>`,
    `<line class="axis" x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${n(g.baseline)}"/>`,
    `<line class="expected" x1="${f.left}" y1="${n(g.expectedY)}" x2="${right}" y2="${n(g.expectedY)}"><title>expected per bin: ${e(n(g.expected))}</title></line>`,
    text(f.left, g.baseline + 14, '0', 'text-anchor="middle"'),
    text((f.left + right) / 2, g.baseline + 14, '0.5', 'text-anchor="middle"'),
    text(right, g.baseline + 14, '1', 'text-anchor="middle"'),
    text(f.left - 4, g.baseline + 3, '0', 'text-anchor="end"'),
    text(f.left - 4, f.top + 3, n(g.yMax), 'text-anchor="end"'),
    '</svg>',
  );
  return parts.join('');
}

/**
 * SP 800-22 §4.2.1's proportion chart: one point per sub-test, the
 * acceptable range as a shaded band, p̂ = 1 − α dashed; a point whose
 * sub-test failed the proportion check is drawn larger, in the `bad` class.
 */
export function proportionChartSvg(title: string, points: readonly ProportionInput[], alpha: number): string {
  const g = proportionChartGeometry(points, alpha);
  const f = g.frame;
  const right = f.width - f.right;
  const bottom = f.height - f.bottom;
  const parts = [open('proportion', f.width, f.height, title)];
  for (const t of g.ticks) {
    parts.push(`<line class="grid" x1="${f.left}" y1="${n(t.y)}" x2="${right}" y2="${n(t.y)}"/>`, text(f.left - 4, t.y + 3, t.value.toFixed(3), 'text-anchor="end"'));
  }
  for (const b of g.bands) {
    parts.push(
      `<rect class="band" x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}"><title>acceptable for m = ${e(b.m)}: ${e(b.min.toFixed(4))} to ${e(b.max.toFixed(4))}</title></rect>`,
    );
  }
  parts.push(`<line class="phat" x1="${f.left}" y1="${n(g.pHatY)}" x2="${right}" y2="${n(g.pHatY)}"><title>p̂ = 1 − α = ${e(g.pHat)}</title></line>`);
  for (const p of g.points) {
    parts.push(
      `<circle class="point${p.ok ? '' : ' bad'}" cx="${n(p.cx)}" cy="${n(p.cy)}" r="${p.ok ? 2.5 : 4}"><title>${e(p.label)}: ${e(p.passing)}/${e(p.counted)} = ${e(p.proportion.toFixed(4))}</title></circle>`,
    );
  }
  parts.push(`<line class="axis" x1="${f.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>`, `<line class="axis" x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${bottom}"/>`);
  for (const s of g.groups) parts.push(text(s.center + 3, bottom + 6, s.test, `text-anchor="end" transform="rotate(-90 ${n(s.center + 3)} ${n(bottom + 6)})"`));
  parts.push('</svg>');
  return parts.join('');
}
