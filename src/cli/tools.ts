// The registry of command-line tools (`descent <tool> ...`).
import type { CliTool } from "./tool.js";

export const tools: CliTool[] = [];
