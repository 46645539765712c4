import assert from "node:assert/strict";
import { test } from "node:test";
import { cleanMessage, stripHtml } from "./corpus.js";
import { findEmails, findPhones, fromName, singlePii } from "./pii.js";

test("findEmails: addresses, domains lower-cased, no bare @", () => {
  const hits = findEmails(
    "Write to Jane.Doe+list@Mail.Example.COM or <bob@x.org>; not me@ nor @home or a@b.",
  );
  assert.deepEqual(
    hits.map((h) => [h.text, h.domain]),
    [
      ["Jane.Doe+list@Mail.Example.COM", "mail.example.com"],
      ["bob@x.org", "x.org"],
    ],
  );
  assert.equal(hits[1].start, 44);
});

test("findPhones: US formats, area codes, and digit runs that are not phones", () => {
  const text =
    "Call (800) 862-0504, 212.555.1234, +1 415-555-2671 or 1-650 253 0000. " +
    "Not: 123-456-7890 (area code starts with 1), 5551234, 12345-678-9012, order 4155552671.";
  assert.deepEqual(
    findPhones(text).map((p) => [p.text, p.areaCode]),
    [
      ["(800) 862-0504", "800"],
      ["212.555.1234", "212"],
      ["+1 415-555-2671", "415"],
      ["1-650 253 0000", "650"],
    ],
  );
});

test("fromName: quoted, bare and parenthesised names; none for a bare address", () => {
  assert.equal(fromName('"Tim Chapman" <timc@2ubh.com>'), "Tim Chapman");
  assert.equal(fromName("Robert Elz <kre@munnari.OZ.AU>"), "Robert Elz");
  assert.equal(fromName("jm@jmason.org (Justin Mason)"), "Justin Mason");
  assert.equal(fromName("<noreply@x.com>"), null);
  assert.equal(fromName("someone@x.com"), null);
});

test("singlePii: one phone number (beside at most one address) or one address, with the span of the domain or area code", () => {
  const one = "From: A <a@Rare-Host.net>\nhello";
  const key = singlePii(one);
  assert.deepEqual(key && [key.kind, key.value], ["email", "rare-host.net"]);
  assert.equal(key && one.slice(key.start, key.end), "Rare-Host.net");
  const phone = "ring 1-484-555-0199 today";
  const p = singlePii(phone);
  assert.deepEqual(p && [p.kind, p.value, phone.slice(p.start, p.end)], ["phone", "484", "484"]);
  assert.equal(singlePii("a@x.org and b@y.org"), null);
  // a sender's address beside one phone number: keyed on the phone number
  const both = singlePii("a@x.org, call 212-555-1234");
  assert.deepEqual(both && [both.kind, both.value], ["phone", "212"]);
  assert.equal(singlePii("a@x.org, b@y.org, call 212-555-1234"), null);
  assert.equal(singlePii("call 212-555-1234 or 415-555-1234"), null);
  assert.equal(singlePii("nothing here"), null);
});

test("cleanMessage keeps From, Subject and text; drops routing, HTML and base64", () => {
  const raw = [
    "From someone@x.org  Thu Aug 22 12:36:23 2002",
    "Received: from relay.example (relay [10.0.0.1])",
    "\tby mx.example",
    'From: "Ann Lee" <ann@lee.org>',
    "Subject: Hello",
    "  again",
    'Content-Type: multipart/mixed; boundary="BOUND"',
    "",
    "--BOUND",
    "Content-Type: text/html",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "<html><body><p>Hi=20there &amp; bye</p><script>x()</script></body></html>",
    "--BOUND",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    "QUJDREVGR0hJSktMTU5PUA==",
    "--BOUND--",
  ].join("\n");
  const m = cleanMessage(raw, "g/1", false);
  assert.equal(m.from, '"Ann Lee" <ann@lee.org>');
  assert.equal(m.subject, "Hello again");
  assert.equal(m.body, "Hi there & bye");
  assert.equal(stripHtml("<b>a</b>&lt;b&gt;"), " a <b>");
});
