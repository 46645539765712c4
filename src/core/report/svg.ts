// Renders Vega-Lite specifications to SVG in Node, without a browser.
import * as vega from "vega";
import { compile } from "vega-lite";

/** Renders one Vega-Lite spec (data inline) to an SVG string. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const full = { width: 420, height: 260, ...spec };
  const compiled = compile(full as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A line chart of `y` against `x`, one line per value of `series`. */
export function lineChart(options: {
  values: Record<string, unknown>[];
  x: string;
  y: string;
  series?: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** Extra layers (for example dashed reference lines) as Vega-Lite layer specs. */
  layers?: Record<string, unknown>[];
}): Record<string, unknown> {
  const line: Record<string, unknown> = {
    mark: { type: "line", clip: true },
    encoding: {
      x: {
        field: options.x,
        type: "quantitative",
        title: options.xTitle ?? options.x,
        scale: options.logX ? { type: "log" } : { zero: false },
      },
      y: {
        field: options.y,
        type: "quantitative",
        title: options.yTitle ?? options.y,
        scale: options.logY ? { type: "log" } : { zero: false },
      },
      ...(options.series
        ? { color: { field: options.series, type: "nominal", title: options.series } }
        : {}),
    },
  };
  if (!options.layers?.length) return { data: { values: options.values }, ...line };
  return { data: { values: options.values }, layer: [line, ...options.layers] };
}
