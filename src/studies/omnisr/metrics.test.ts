import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { dataDir } from "./dataset.js";
import { readPng } from "./image.js";
import { psnr, wsPsnr, wsSsim } from "./metrics.js";
import { pilResizeU8 } from "./resample.js";

interface Reference {
  file: string;
  scale: number;
  psnr: number;
  wsPsnr: number;
  wsSsimFull: number;
  wsSsimCrop: number;
}

function readReference(): Reference[] {
  const lines = readFileSync(`${dataDir}/bicubic_reference.csv`, "utf8").trim().split("\n");
  return lines
    .slice(1)
    .filter((line) => !line.startsWith("MEAN"))
    .map((line) => {
      const [file, scale, p, wp, sf, sc] = line.split(",");
      return {
        file,
        scale: Number(scale),
        psnr: Number(p),
        wsPsnr: Number(wp),
        wsSsimFull: Number(sf),
        wsSsimCrop: Number(sc),
      };
    });
}

test("PSNR and WS-PSNR of PIL bicubic down-up match bicubic_reference.csv (25 images, x2 and x4, 0.05 dB)", () => {
  const refs = readReference();
  assert.equal(refs.length, 50);
  const means = { 2: 0, 4: 0 } as Record<number, number>;
  for (const ref of refs) {
    const hr = readPng(`${dataDir}/${ref.file}`);
    if (hr.width > 1024 && ref.scale === 4) continue; // the 2048-wide image: x2 only, for time
    const lr = pilResizeU8(
      hr.data,
      hr.width,
      hr.height,
      hr.width / ref.scale,
      hr.height / ref.scale,
    );
    const up = {
      ...hr,
      data: pilResizeU8(lr, hr.width / ref.scale, hr.height / ref.scale, hr.width, hr.height),
    };
    assert.ok(Math.abs(psnr(up, hr) - ref.psnr) < 0.05, `${ref.file} x${ref.scale} PSNR`);
    const ws = wsPsnr(up, hr);
    assert.ok(Math.abs(ws - ref.wsPsnr) < 0.05, `${ref.file} x${ref.scale} WS-PSNR ${ws}`);
    means[ref.scale] += ws;
  }
  // Means over the 24 1024x512 images agree with the reference rows' means.
  const refMean = (s: number) =>
    refs
      .filter((r) => r.scale === s && !r.file.startsWith("odi_01"))
      .reduce((a, r) => a + r.wsPsnr, 0) / 24;
  assert.ok(Math.abs(means[4] / 24 - refMean(4)) < 0.01);
});

test("WS-SSIM (both row-weight conventions) matches the reference within 0.002 on 4 images", () => {
  const refs = readReference().filter((r) => /odi_(02|09|17|23)/.test(r.file));
  assert.equal(refs.length, 8);
  for (const ref of refs) {
    const hr = readPng(`${dataDir}/${ref.file}`);
    const lr = pilResizeU8(
      hr.data,
      hr.width,
      hr.height,
      hr.width / ref.scale,
      hr.height / ref.scale,
    );
    const up = {
      ...hr,
      data: pilResizeU8(lr, hr.width / ref.scale, hr.height / ref.scale, hr.width, hr.height),
    };
    assert.ok(Math.abs(wsSsim(up, hr, "fullH") - ref.wsSsimFull) < 0.002, `${ref.file} fullH`);
    assert.ok(Math.abs(wsSsim(up, hr, "cropH") - ref.wsSsimCrop) < 0.002, `${ref.file} cropH`);
  }
});

test("WS-PSNR weights the equator more than the poles", () => {
  const width = 16;
  const height = 8;
  const a = { width, height, data: new Float64Array(width * height * 3) };
  const polar = { width, height, data: new Float64Array(width * height * 3) };
  const equator = { width, height, data: new Float64Array(width * height * 3) };
  for (let x = 0; x < width * 3; x++) {
    polar.data[x] = 10; // top row
    equator.data[4 * width * 3 + x] = 10; // a row next to the equator
  }
  assert.equal(psnr(a, polar), psnr(a, equator));
  assert.ok(wsPsnr(a, polar) > wsPsnr(a, equator) + 5);
});
