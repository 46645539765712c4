// The reference singular values of the training Jacobian (a float64 numpy
// re-implementation of the paper's setting, width 64), shipped in data/.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const referencePath = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../data/training-jacobian/singular_values_numpy_f64.csv.gz",
);

/** The numpy reference spectra (width 64), by column name; empty if the file is absent. */
export function referenceSpectra(): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  if (!existsSync(referencePath)) return out;
  const lines = gunzipSync(readFileSync(referencePath)).toString("utf8").trim().split("\n");
  const names = lines[0].split(",").slice(1);
  names.forEach((name, j) => {
    out.set(
      name,
      Float64Array.from(lines.slice(1), (line) => Number(line.split(",")[j + 1])),
    );
  });
  return out;
}
