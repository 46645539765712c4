// A small argument parser: positionals, --flag, --key value, --key=value, and
// repeated --set k=v. Unknown options are errors that list the known ones.
import { UsageError } from "../core/errors.js";

export interface OptionSpec {
  /** Option names without dashes; boolean options take no value. */
  boolean?: string[];
  string?: string[];
  /** Options that may repeat (values collected in order). */
  multiple?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean | string[]>;
}

export function parseArgs(argv: string[], spec: OptionSpec, command: string): ParsedArgs {
  const booleans = new Set(spec.boolean ?? []);
  const strings = new Set([...(spec.string ?? []), ...(spec.multiple ?? [])]);
  const multiple = new Set(spec.multiple ?? []);
  const positionals: string[] = [];
  const options: ParsedArgs["options"] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (
        arg.startsWith("-") &&
        arg.length > 1 &&
        arg !== "-" &&
        !/^-\d/.test(arg) &&
        arg !== "-o"
      ) {
        throw new UsageError(
          `${command}: unknown option '${arg}'; options are ${known(booleans, strings)}`,
        );
      }
      if (arg === "-o") {
        options.out = argv[++i] ?? missing(command, "-o");
        continue;
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (booleans.has(name)) {
      if (eq !== -1) throw new UsageError(`${command}: --${name} takes no value`);
      options[name] = true;
    } else if (strings.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith("--")))
        missing(command, `--${name}`);
      if (value === "") throw new UsageError(`${command}: --${name} needs a non-empty value`);
      if (multiple.has(name)) {
        const list = (options[name] as string[] | undefined) ?? [];
        list.push(value);
        options[name] = list;
      } else {
        options[name] = value;
      }
    } else {
      throw new UsageError(
        `${command}: unknown option '--${name}'; options are ${known(booleans, strings)}`,
      );
    }
  }
  return { positionals, options };
}

function missing(command: string, option: string): never {
  throw new UsageError(`${command}: ${option} needs a value`);
}

function known(booleans: Set<string>, strings: Set<string>): string {
  const names = [...booleans, ...strings].map((n) => `--${n}`);
  return names.length ? names.join(", ") : "none";
}

/** Parses a number option, with an error that names the option. */
export function numberOption(value: unknown, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const parsed = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(parsed)) {
    throw new UsageError(`--${name} must be a number, got '${String(value)}'`);
  }
  return parsed;
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Turns `--set a.b=1` items into a nested object; values parse as JSON when they can. */
export function parseSets(items: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects key=value, got '${item}'`);
    const path = item.slice(0, eq).split(".");
    const bad = path.find((key) => key === "" || FORBIDDEN_KEYS.has(key));
    if (bad !== undefined) {
      throw new UsageError(
        `--set '${item}': '${bad}' is not a setting name (use dotted names such as diagonal.steps)`,
      );
    }
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      if (raw.includes(",")) value = raw.split(",").map((part) => parseScalar(part));
    }
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return out;
}

function parseScalar(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
