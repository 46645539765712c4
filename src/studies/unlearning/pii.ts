// Detectors for personal data in e-mail text: e-mail addresses, US phone
// numbers (with their area codes) and the display name in a From line.

export interface EmailHit {
  text: string;
  start: number;
  /** Lower-cased domain, the value a "minority" is measured on. */
  domain: string;
}

export interface PhoneHit {
  text: string;
  start: number;
  /** The three-digit area code. */
  areaCode: string;
}

const EMAIL = /[A-Za-z0-9][A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;

// NANP numbers: an optional +1 or 1 prefix, an area code (first digit 2-9)
// bare or in parentheses, then exchange (first digit 2-9) and line number,
// joined by a space, dot or hyphen; no digit may touch either end.
const PHONE =
  /(?<![\d\w])(?:\+?1[-. ]?)?(?:\(([2-9]\d\d)\) ?|([2-9]\d\d)[-. ])([2-9]\d\d)[-. ](\d{4})(?!\d)/g;

/** Every e-mail address in the text, in order. */
export function findEmails(text: string): EmailHit[] {
  return [...text.matchAll(EMAIL)].map((m) => ({
    text: m[0],
    start: m.index ?? 0,
    domain: m[1].toLowerCase(),
  }));
}

/** Every US phone number in the text, in order. */
export function findPhones(text: string): PhoneHit[] {
  return [...text.matchAll(PHONE)].map((m) => ({
    text: m[0],
    start: m.index ?? 0,
    areaCode: m[1] ?? m[2],
  }));
}

/**
 * The display name in a From header value: `"Jane Doe" <jd@x.org>`,
 * `Jane Doe <jd@x.org>` or `jd@x.org (Jane Doe)`; null when there is none.
 */
export function fromName(from: string): string | null {
  const angle = /^\s*"?([^"<]*?)"?\s*<[^>]*>/.exec(from);
  const paren = /^[^\s(]+@[^\s(]+\s*\(([^)]*)\)/.exec(from);
  const name = (angle?.[1] ?? paren?.[1] ?? "").trim();
  return name.length > 0 && !name.includes("@") ? name : null;
}

/** The single piece of PII a canary is keyed on, or null when there is not exactly one. */
export interface PiiKey {
  kind: "email" | "phone";
  /** A domain or an area code. */
  value: string;
  /** Where the value sits in the text (for replacing it). */
  start: number;
  end: number;
}

/**
 * Keys a text holding exactly one phone number or exactly one e-mail address.
 * Nearly every message carries its sender's address in the From line, so a
 * text with one phone number and at most that one address is keyed on the
 * phone number's area code; a text with one address and no phone number on
 * the address's domain; anything else gets no key.
 */
export function singlePii(text: string): PiiKey | null {
  const emails = findEmails(text);
  const phones = findPhones(text);
  if (phones.length === 1 && emails.length <= 1) {
    const p = phones[0];
    const start = p.start + p.text.indexOf(p.areaCode);
    return { kind: "phone", value: p.areaCode, start, end: start + 3 };
  }
  if (emails.length === 1 && phones.length === 0) {
    const e = emails[0];
    const start = e.start + e.text.length - e.domain.length;
    return { kind: "email", value: e.domain, start, end: start + e.domain.length };
  }
  return null;
}
