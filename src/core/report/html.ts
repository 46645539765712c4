// A run's self-contained HTML page: inline SVG plots, tables and the config.
import type { Cell, Report, Table } from "../study.js";
import { renderSvg } from "./svg.js";

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Formats a table cell: numbers to 4 significant digits, booleans as yes/no. */
export function formatCell(value: Cell): string {
  if (value === null) return "–";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
    if (!Number.isFinite(value)) return String(value);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
    return value.toPrecision(4);
  }
  return value;
}

function tableHtml(table: Table): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = table.rows
    .map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(formatCell(c))}</td>`).join("")}</tr>`)
    .join("\n");
  const caption = table.caption ? `<p class="caption">${escapeHtml(table.caption)}</p>` : "";
  return `<h3>${escapeHtml(table.title)}</h3><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${caption}`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}.figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
.caption{color:#555;font-size:.9em;max-width:60em}pre{background:#f6f6f6;padding:.8em;overflow:auto;font-size:.85em}`;

/** Renders a study's report, with its config and summary, to one HTML page. */
export async function renderReportHtml(options: {
  title: string;
  subtitle?: string;
  report: Report;
  config?: unknown;
  summary?: unknown;
}): Promise<string> {
  const parts: string[] = [];
  for (const section of options.report.sections) {
    parts.push(`<h2>${escapeHtml(section.title)}</h2>`);
    for (const paragraph of section.text ?? []) parts.push(`<p>${escapeHtml(paragraph)}</p>`);
    for (const figure of section.figures ?? []) {
      const svg = await renderSvg(figure.spec);
      const caption = figure.caption ? `<p class="caption">${escapeHtml(figure.caption)}</p>` : "";
      parts.push(`<div class="figure"><h3>${escapeHtml(figure.title)}</h3>${svg}${caption}</div>`);
    }
    for (const table of section.tables ?? []) parts.push(tableHtml(table));
    if (section.html) parts.push(section.html);
  }
  if (options.config !== undefined) {
    parts.push(
      `<h2>Configuration</h2><pre>${escapeHtml(JSON.stringify(options.config, null, 2))}</pre>`,
    );
  }
  if (options.summary !== undefined) {
    const text = JSON.stringify(options.summary, null, 2);
    parts.push(
      `<details><summary>Summary (JSON)</summary><pre>${escapeHtml(text)}</pre></details>`,
    );
  }
  const subtitle = options.subtitle ? `<p>${escapeHtml(options.subtitle)}</p>` : "";
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(options.title)}</h1>${subtitle}${parts.join("\n")}</body></html>\n`;
}
