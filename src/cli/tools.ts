// The registry of command-line tools (`descent <tool> ...`).

import { countTool } from "./count.js";
import { omnisrTool } from "./omnisr.js";
import { rnaTool } from "./rna.js";
import type { CliTool } from "./tool.js";

export const tools: CliTool[] = [rnaTool, countTool, omnisrTool];
