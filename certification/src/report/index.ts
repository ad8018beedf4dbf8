/**
 * @module report
 * The lab report (docs/lab-report.md): one self-contained HTML page with
 * the run's metadata, result tables and SVG plots, assembled from the JSON
 * documents the capture and certify commands write.
 *
 * ```ts
 * const report = buildLabReport({ generated: new Date().toISOString(), documents: [{ kind: 'nist', path, sha256, json }] });
 * writeFileSync('report.html', labReportHtml(report));
 * ```
 */

export { ReportInputError } from './json-reader.js';
export * from './inputs.js';
export * from './geometry.js';
export * from './model.js';
export { histogramSvg, proportionChartSvg } from './svg.js';
export { labReportHtml, shellQuote } from './html.js';
