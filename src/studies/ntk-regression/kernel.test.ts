import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { spherePoints } from "./data.js";
import { empiricalGram, gram, ntkOfInner, supDistance } from "./kernel.js";
import { symmetricInit } from "./network.js";

test("closed-form NTK at hand-computed inner products", () => {
  assert.equal(ntkOfInner(1), 0.5);
  assert.equal(ntkOfInner(0), 0);
  assert.equal(Math.abs(ntkOfInner(-1)), 0);
  // t = 1/2: arccos = pi/3, so K = (1/2)(2 pi / 3) / (2 pi) = 1/6
  assert.ok(Math.abs(ntkOfInner(0.5) - 1 / 6) < 1e-15);
  assert.ok(Math.abs(ntkOfInner(1 + 1e-12) - 0.5) < 1e-12, "clamps rounding past 1");
});

test("empirical NTK at init approaches the closed form at large width, like m^-1/2", () => {
  const rng = new Rng(11);
  const points = spherePoints(rng.fork("x"), 25, 4, "uniform");
  const closed = gram(points, points);
  const distance = (width: number) => {
    const net = symmetricInit(rng.fork(`w${width}`), width, 4, 1);
    return supDistance(empiricalGram(points, points, net.weights, width), closed);
  };
  const wide = distance(65536);
  const narrow = distance(256);
  // The entries are averages of m/2 independent indicators (pairs are copies):
  // standard deviation <= 0.5 / sqrt(m/2), about 0.0028 at m = 65536.
  assert.ok(wide < 0.015, `sup distance at m = 65536: ${wide}`);
  assert.ok(narrow / wide > 5 && narrow / wide < 40, `ratio ${narrow / wide} (theory 16)`);
});

test("both kernels are about 1/2 on the diagonal (half the units active at x)", () => {
  const rng = new Rng(2);
  const points = spherePoints(rng, 5, 3, "projected-normal");
  const net = symmetricInit(rng.fork("w"), 4096, 3, 0.1);
  const k = empiricalGram(points, points, net.weights, 4096);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(k[i * 5 + i] - 0.5) < 0.04);
  const closed = gram(points, points);
  // arccos is steep at 1, so unit vectors rounded to 1e-16 give 1/2 to about 1e-8.
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(closed[i * 5 + i] - 0.5) < 1e-7);
});
