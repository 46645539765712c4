// zCDP <-> (epsilon, delta) conversions against an independent grid search.
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../core/errors.js";
import {
  calibrate,
  discreteGaussianRho,
  epsilonOfRho,
  epsilonOfRhoSimple,
  noiseMultiplierOfRho,
  rhoOfEpsilon,
  rhoOfNoiseMultiplier,
} from "./privacy.js";

// Minimum over a = 1 + 1e-4 i of a rho + log(1 - 1/a) - (log delta + log a)/(a - 1),
// computed once by a separate Python grid search.
const GRID = [
  { rho: 0.5, delta: 1e-5, epsilon: 4.728386985233222, simple: 5.298525912188081 },
  { rho: 0.05, delta: 1e-6, epsilon: 1.4715947505347051, simple: 1.71225813626911 },
  { rho: 2, delta: 1e-3, epsilon: 8.416064295876069, simple: 9.433844377699677 },
];

test("CKS'20 conversion matches a grid search; the simple bound is larger", () => {
  for (const { rho, delta, epsilon, simple } of GRID) {
    assert.ok(Math.abs(epsilonOfRho(rho, delta) - epsilon) < 1e-6, `rho=${rho}`);
    assert.ok(Math.abs(epsilonOfRhoSimple(rho, delta) - simple) < 1e-12);
    assert.ok(epsilonOfRho(rho, delta) < epsilonOfRhoSimple(rho, delta));
  }
});

test("rhoOfEpsilon inverts epsilonOfRho and calibrate reports the chain", () => {
  for (const { rho, delta, epsilon } of GRID) {
    const found = rhoOfEpsilon(epsilon, delta);
    assert.ok(Math.abs(found - rho) / rho < 1e-6, `${found} vs ${rho}`);
  }
  const calibration = calibrate({ epsilon: 4.728386985233222, delta: 1e-5 });
  assert.ok(Math.abs(calibration.noiseMultiplier - 1) < 1e-6);
  assert.match(calibration.conversion, /rho = 0\.5/);
  const fromRho = calibrate({ rho: 0.5, delta: 1e-5 });
  assert.equal(fromRho.noiseMultiplier, 1);
  assert.ok(Math.abs((fromRho.epsilon ?? 0) - 4.728386985233222) < 1e-6);
  assert.ok(Math.abs(rhoOfNoiseMultiplier(noiseMultiplierOfRho(0.3)) - 0.3) < 1e-15);
});

test("bad privacy targets are usage errors", () => {
  assert.throws(() => calibrate({ epsilon: 1 }), UsageError);
  assert.throws(() => calibrate({ epsilon: -1, delta: 1e-6 }), UsageError);
  assert.throws(() => calibrate({ epsilon: 1, delta: 2 }), UsageError);
  assert.throws(() => calibrate({ rho: 0 }), UsageError);
  assert.throws(() => calibrate({ rho: 1, epsilon: 1, delta: 1e-6 }), UsageError);
});

test("discrete Gaussian zCDP for integer shifts equals the continuous value", () => {
  assert.equal(discreteGaussianRho(4, 2), 0.5);
});
