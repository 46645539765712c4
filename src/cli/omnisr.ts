// `descent omnisr upscale <in.png> --scale 2|4 [--model FILE] -o <out.png>`:
// upscales a user's 360-degree ERP panorama with a trained unfolded network.
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { readPng, writePng } from "../studies/omnisr/image.js";
import { shippedModelPath } from "../studies/omnisr/index.js";
import { readModels } from "../studies/omnisr/model-file.js";
import { checkErp, pickModel, upscaleWithModel } from "../studies/omnisr/upscale.js";
import { parseArgs } from "./args.js";

const MAX_INPUT_WIDTH = 512;

import type { CliTool } from "./tool.js";

const usage = `descent omnisr upscale <in.png> --scale 2|4 [--model <file>] -o <out.png>

  Upscales a 2:1 equirectangular (360x180-degree) PNG by 2 or 4 with the
  unfolded network. --model defaults to the shipped data/omnisr/model.omnisr
  (format: data/omnisr/README.md); a run of 'descent run omnisr' writes its own
  model.omnisr into the run folder. JPEG input is not supported (no decoder
  is installed): convert to PNG first.`;

async function upscaleCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(
    argv,
    { string: ["scale", "model", "out"] },
    "descent omnisr upscale",
  );
  if (positionals.length !== 1) {
    throw new UsageError(`descent omnisr upscale needs one input image\n\n${usage}`);
  }
  const scaleText = options.scale as string | undefined;
  if (scaleText === undefined)
    throw new UsageError("--scale is required: use --scale 2 or --scale 4");
  if (scaleText !== "2" && scaleText !== "4") {
    throw new UsageError(`unknown scale '${scaleText}': use --scale 2 or --scale 4`);
  }
  const out = options.out as string | undefined;
  if (!out) throw new UsageError("-o <out.png> is required");
  if (!out.toLowerCase().endsWith(".png"))
    throw new UsageError(`output ${out} must end in .png (PNG is written)`);
  const scale = Number(scaleText);
  const modelPath = (options.model as string | undefined) ?? shippedModelPath;

  const outDir = dirname(resolve(out));
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) {
    throw new UsageError(`the folder of -o ${out} does not exist: create ${outDir} first`);
  }
  const input = positionals[0];
  const lr = readPng(input);
  checkErp(lr, input);
  // Limitation: the engine's wasm memory is 4 GiB and the banded pass still
  // ran out of it on a 1024x512 input, so larger panoramas are refused here.
  if (lr.width > MAX_INPUT_WIDTH) {
    throw new UsageError(
      `${input} is ${lr.width}x${lr.height}; inputs up to ${MAX_INPUT_WIDTH}x${MAX_INPUT_WIDTH / 2} fit in the engine's memory: downscale the panorama first`,
    );
  }
  const model = pickModel(readModels(modelPath), scale, modelPath);
  const start = performance.now();
  const hr = upscaleWithModel(model, lr);
  writePng(out, hr);
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(
    `${input} (${lr.width}x${lr.height}) -> ${out} (${hr.width}x${hr.height}) with ${model.name} in ${seconds.toFixed(2)} s\n`,
  );
  return 0;
}

export const omnisrTool: CliTool = {
  name: "omnisr",
  summary: "upscale a 360-degree ERP panorama with the unfolded network",
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "upscale") return upscaleCommand(rest);
    throw new UsageError(
      sub === undefined
        ? `descent omnisr needs a subcommand\n\n${usage}`
        : `unknown subcommand '${sub}'\n\n${usage}`,
    );
  },
};
