import { Rng } from "../../core/rng.js";
import { BatchLoss } from "./batch-loss.js";
import { loadDigits } from "./digits.js";
import { initParams, makeBatch } from "./mlp.js";

const { train } = loadDigits();
const batch = makeBatch(train.images.slice(0, 64 * 64), train.labels.slice(0, 64), 64);
const shape = { inputs: 64, width: 32, classes: 10 };
const theta = initParams(shape, new Rng(0));
const l = new BatchLoss(shape, 64);
l.setParams(theta, batch);
const p = theta.length;
const v = new Rng(1).normals(p);
const out = new Float64Array(p);
for (let r = 0; r < 3000; r++) l.hvp(v, 0, out, 0);
