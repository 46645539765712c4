import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { omnisrTool } from "../../cli/omnisr.js";
import { np, tree } from "../../core/engine.js";
import { UsageError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import { readPng, writePng } from "./image.js";
import { initParams } from "./model.js";
import { encodeModels } from "./model-file.js";
import { upscaleWithModel } from "./upscale.js";

const dir = mkdtempSync(join(tmpdir(), "omnisr-"));

function image(width: number, height: number, path: string): string {
  const rng = new Rng(width * 31 + height);
  writePng(path, {
    width,
    height,
    data: new Uint8Array(width * height * 3).map(() => rng.int(256)),
  });
  return path;
}

function modelFile(scales: number[]): string {
  const models = scales.map((scale) => {
    const arch = { scale, stages: 1, features: 4, alignment: true, latitude: true };
    return {
      name: `unfolded-x${scale}`,
      arch,
      trainSteps: 0,
      finalLoss: 0,
      params: initParams(arch, new Rng(scale)),
    };
  });
  const path = join(dir, `m${scales.join("")}.omnisr`);
  writeFileSync(path, encodeModels(models));
  for (const m of models) tree.dispose(m.params);
  return path;
}

async function usageError(argv: string[], pattern: RegExp): Promise<void> {
  await assert.rejects(omnisrTool.run(argv), (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.match((error as Error).message, pattern);
    return true;
  });
}

test("upscale writes a 2:1 PNG of the right size with a given model", async () => {
  const input = image(32, 16, join(dir, "in.png"));
  const out = join(dir, "out.png");
  const model = modelFile([2]);
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    assert.equal(
      await omnisrTool.run(["upscale", input, "--scale", "2", "--model", model, "-o", out]),
      0,
    );
  } finally {
    process.stdout.write = write;
  }
  const img = readPng(out);
  assert.equal(img.width, 64);
  assert.equal(img.height, 32);
});

test("upscale rejects bad input with errors that name the fix", async () => {
  const ok = image(32, 16, join(dir, "ok.png"));
  const square = image(20, 20, join(dir, "square.png"));
  const jpeg = join(dir, "photo.jpg");
  writeFileSync(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]));
  const junk = join(dir, "junk.png");
  writeFileSync(junk, "not a png");
  const model = modelFile([2]);
  await usageError(
    ["upscale", square, "--scale", "2", "--model", model, "-o", join(dir, "a.png")],
    /not a 2:1/,
  );
  await usageError(["upscale", ok, "--scale", "3", "-o", join(dir, "a.png")], /unknown scale '3'/);
  await usageError(["upscale", ok, "-o", join(dir, "a.png")], /--scale is required/);
  await usageError(["upscale", jpeg, "--scale", "2", "-o", join(dir, "a.png")], /JPEG/);
  await usageError(
    ["upscale", junk, "--scale", "2", "-o", join(dir, "a.png")],
    /not a readable PNG/,
  );
  await usageError(
    ["upscale", join(dir, "missing.png"), "--scale", "2", "-o", join(dir, "a.png")],
    /cannot read/,
  );
  await usageError(
    ["upscale", ok, "--scale", "4", "--model", model, "-o", join(dir, "a.png")],
    /no network for x4/,
  );
  await usageError(
    ["upscale", ok, "--scale", "2", "--model", junk, "-o", join(dir, "a.png")],
    /not an omnisr model/,
  );
  await usageError(["upscale", ok, "--scale", "2", "-o", join(dir, "a.jpg")], /must end in .png/);
  await usageError(["upscale", ok, "--scale", "2"], /-o <out.png> is required/);
  await usageError(["shrink"], /unknown subcommand/);
});

test("banded upscaling (large images) matches the whole-image pass", () => {
  const rng = new Rng(12);
  const lr = { width: 48, height: 24, data: new Uint8Array(48 * 24 * 3).map(() => rng.int(256)) };
  const arch = { scale: 2, stages: 2, features: 4, alignment: true, latitude: true };
  const params = initParams(arch, new Rng(13));
  // Give the learned blocks non-zero output layers so they take part.
  params.decoder.w2.dispose();
  params.decoder.w2 = np.array(Float32Array.from(rng.normals(36 * 12, 0.3))).reshape([36, 12]);
  const model = { name: "unfolded-x2", arch, trainSteps: 0, finalLoss: 0, params };
  const whole = upscaleWithModel(model, lr);
  const banded = upscaleWithModel(model, lr, 96 * 8); // 8 LR rows per band, 3 bands
  let worst = 0;
  for (let i = 0; i < whole.data.length; i++)
    worst = Math.max(worst, Math.abs(whole.data[i] - banded.data[i]));
  assert.ok(worst <= 1, `largest difference ${worst} levels`);
  tree.dispose(params);
});
