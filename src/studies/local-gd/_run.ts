import { Rng } from "../../core/rng.ts";
import { configSchema, study } from "./index.ts";

const preset = process.argv[2] === "full" ? study.presets.full : study.presets.quick;
const cfg = configSchema.parse({ ...preset, ...JSON.parse(process.argv[3] ?? "{}") });
const t = Date.now();
const stages = new Map<string, number>();
const s = await study.run(cfg, {
  seed: 0,
  rng: new Rng(0),
  progress: (p) => {
    if (!stages.has(p.stage)) {
      stages.set(p.stage, Date.now());
      console.error(((Date.now() - t) / 1000).toFixed(1), p.stage);
    }
  },
  metric: () => {},
  artifact: () => "",
  outDir: "/tmp",
});
console.log(JSON.stringify(s, null, 1));
console.error("total", (Date.now() - t) / 1000);
