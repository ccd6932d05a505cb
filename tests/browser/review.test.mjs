// The HTML review page in a real browser (Debian's headless Chromium, driven by
// playwright-core): it loads without console errors or network requests, decisions made
// with the mouse and the keyboard reach the exported decisions file (checked with a real
// TOML parser), the two halves of a move are decided together, hostile document text
// renders as text, and a review of 10,000 changes
// opens and filters quickly.
//
// Run through run.sh, which installs Chromium and playwright-core and builds recto;
// RECTO names the binary. Pages are made with `recto review --html`, and the decisions
// the page exports are fed back to `recto apply` and `recto review`.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const RECTO = process.env.RECTO;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// The flags this machine needs: no sandbox as root, and nothing that reaches for the
// network in the background (its connections would be refused and logged).
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const BIG = 10_000;

let dir, browser;
const pages = {};

// Writes the documents into a fresh folder and renders one review page for them with
// `recto review --html` (which also reads recto-decisions.toml there, if any).
function makePage(name, docs) {
  const sub = join(dir, name);
  mkdirSync(sub, { recursive: true });
  for (const [file, text] of Object.entries(docs)) writeFileSync(join(sub, file), text);
  return review(sub, Object.keys(docs), name);
}

function review(sub, files, name) {
  const out = join(dir, name + ".html");
  execFileSync(RECTO, ["review", "--html", out, ...files], { cwd: sub });
  return out;
}

// Parses TOML with Python's tomllib, an independent reader of the format.
function parseToml(text) {
  const json = execFileSync("python3", ["-c", "import sys, json, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"],
    { input: text, maxBuffer: 1 << 28 });
  return JSON.parse(json);
}

// Opens a page and records everything that must not happen: console errors, uncaught
// exceptions, dialogs (alert), and requests for anything but the page itself.
async function open(file) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(m.type() + ": " + m.text()); });
  page.on("pageerror", (e) => problems.push("exception: " + e.message));
  page.on("dialog", async (d) => { problems.push("dialog: " + d.message()); await d.dismiss(); });
  const url = pathToFileURL(file).href;
  page.on("request", (r) => { if (r.url() !== url && !r.url().startsWith("blob:")) problems.push("request: " + r.url()); });
  const started = Date.now();
  await page.goto(url, { waitUntil: "load" });
  await page.locator("article.card").first().waitFor();
  return { page, problems, context, ms: Date.now() - started };
}

const decisions = (page) => page.evaluate(() => window.rectoDecisions());
const shownText = (page) => page.locator("#shown").textContent();

before(() => {
  assert.ok(RECTO, "set RECTO to the recto binary (run.sh does)");
  dir = mkdtempSync(join(tmpdir(), "recto-review-"));
  pages.small = makePage("small", {
    "report.txt":
      "The ﬁnancial report of the Com-\nmittee was ﬂawless.\n\n" +
      "It was ofﬁcially adopted on 3 May, with eﬀort from every member.\n" +
      "A soft\u00adhyphen nobody can see.\n",
    "notes.txt": "A ﬁrst note.\nA second ﬁle.\n",
  });
  pages.hostile = makePage("hostile", {
    // The hostile markup sits beside repairable text, so it is in the cards' context;
    // the path is hostile too.
    '"><img src=x onerror=alert(3)>.txt':
      "<script>alert(1)</script> ﬁ \"><img src=x onerror=alert(2)>\n" +
      "</script><!-- ﬂow <b>bold</b> &amp; &lt;x&gt; ﬁ\n",
  });
  const lines = [];
  for (let i = 0; i < BIG; i++) lines.push(`Line ${i}: the ﬁgure shows item ${i * 7919 % 10007}.`);
  // One paragraph per line, blank lines between: the only changes are the ligatures
  // (hard-wrapped lines would add a reflow change per line break).
  pages.big = makePage("big", { "big.txt": lines.join("\n\n") + "\n" });
  // A page whose last block the extractor emitted out of order: reading order moves it,
  // a move recorded as two linked changes (the removal and the insertion).
  pages.moved = makePage("moved", {
    "page.txt": readFileSync(new URL("../cmd/diff-reorder.in/page.txt", import.meta.url), "utf8"),
  });
});

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
});

after(async () => {
  await browser?.close();
  if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

test("the page loads without console errors or network requests", async () => {
  const { page, problems, context } = await open(pages.small);
  assert.deepEqual(problems, []);
  assert.match(await page.locator("#summary").textContent(), /2 files · \d+ changes · 0 accepted · 0 rejected · \d+ undecided/);
  const cards = await page.locator("article.card").count();
  assert.ok(cards >= 5, `expected the ligatures of both files as cards, got ${cards}`);
  // Before and after are both shown, the change marked on each side.
  const first = page.locator("article.card").first();
  assert.equal(await first.locator(".before del").first().textContent(), "ﬁ");
  assert.equal(await first.locator(".after ins").first().textContent(), "fi");
  assert.match(await first.locator(".row.before").textContent(), /The ﬁnancial report/);
  // An invisible character that is removed is named, not shown as nothing.
  const soft = page.locator("article.card", { hasText: "unicode.soft-hyphen" });
  assert.equal(await soft.locator(".before del").textContent(), "⟨U+00AD⟩");
  assert.equal(await soft.locator(".after ins.empty").count(), 1);
  // Every change starts undecided: nothing in either list.
  const toml = parseToml(await decisions(page));
  assert.equal(toml.version, 1);
  assert.equal(toml.accepted, undefined);
  assert.equal(toml.rejected, undefined);
  await context.close();
});

test("accepting and rejecting update the exported decisions", async () => {
  const { page, problems, context } = await open(pages.small);
  const cards = page.locator("article.card");
  const ids = await page.evaluate(() => JSON.parse(document.getElementById("recto-data").textContent)
    .files.flatMap((f) => f.changes.map((c) => ({ id: c.id, path: f.path, rule: c.rules[0] }))));

  // Mouse: accept the first change, reject the second.
  await cards.nth(0).locator("button[data-act=accept]").click();
  await cards.nth(1).locator("button[data-act=reject]").click();
  let toml = parseToml(await decisions(page));
  assert.deepEqual(toml.accepted.map((d) => d.id), [ids[0].id]);
  assert.deepEqual(toml.rejected.map((d) => d.id), [ids[1].id]);
  assert.equal(toml.accepted[0].path, ids[0].path);
  assert.equal(toml.accepted[0].rule, ids[0].rule);
  assert.match(toml.accepted[0].context, /^.*ﬁ.* → .*fi.*$/);
  assert.ok(toml.accepted[0].context.length <= 90, toml.accepted[0].context);

  // Keyboard: the cursor is on the second card (the one clicked); `u` undecides it and
  // moves on, `r` rejects the third, `k` goes back, `a` accepts the third.
  await page.keyboard.press("u");
  await page.keyboard.press("r");
  toml = parseToml(await decisions(page));
  assert.deepEqual(toml.rejected.map((d) => d.id), [ids[2].id]);
  assert.deepEqual(toml.accepted.map((d) => d.id), [ids[0].id]);
  await page.keyboard.press("k");
  await page.keyboard.press("a");
  toml = parseToml(await decisions(page));
  assert.deepEqual(toml.accepted.map((d) => d.id), [ids[0].id, ids[2].id]);
  assert.equal(toml.rejected, undefined);
  assert.equal(await cards.nth(2).locator(".state").textContent(), "accepted");

  // Per file: reject every change of notes.txt.
  await page.locator(".file-head", { hasText: "notes.txt" }).locator("button[data-act=reject-file]").click();
  toml = parseToml(await decisions(page));
  const notes = ids.filter((d) => d.path === "notes.txt").map((d) => d.id);
  assert.ok(notes.length >= 2);
  assert.deepEqual(toml.rejected.map((d) => d.id), notes);

  // Per rule: accept every unicode.ligature change (overwrites the file's rejections).
  await page.locator("#rules-panel summary").click();
  await page.locator('#rules-table tr[data-rule="unicode.ligature"] button[data-act=accept-rule]').click();
  toml = parseToml(await decisions(page));
  const ligatures = ids.filter((d) => d.rule === "unicode.ligature").map((d) => d.id);
  for (const id of ligatures) assert.ok(toml.accepted.some((d) => d.id === id), id);
  assert.ok(!(toml.rejected || []).some((d) => ligatures.includes(d.id)));

  // Every id appears once, in one list.
  const all = [...(toml.accepted || []), ...(toml.rejected || [])].map((d) => d.path + " " + d.id);
  assert.equal(new Set(all).size, all.length);

  // The download button writes exactly what the page reports.
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download").click()]);
  assert.equal(download.suggestedFilename(), "recto-decisions.toml");
  const saved = join(dir, "downloaded.toml");
  await download.saveAs(saved);
  assert.equal(readFileSync(saved, "utf8"), await decisions(page));
  assert.match(readFileSync(saved, "utf8"), /^# recto review decisions — .*\n.*\nversion = 1\n/);

  // A new page that loads the file continues the review where it was left.
  const { page: again, context: context2 } = await open(pages.small);
  await again.locator("#import").setInputFiles(saved);
  await again.waitForFunction((expected) => window.rectoDecisions() === expected, await decisions(page));
  await context2.close();

  assert.deepEqual(problems, []);
  await context.close();
});

test("the two halves of a move are decided together", async () => {
  const { page, problems, context } = await open(pages.moved);
  const halves = page.locator("article.card", { hasText: "layout.reorder-blocks" });
  assert.equal(await halves.count(), 2);
  assert.match(await halves.first().textContent(), /Part of a move/);
  const moveIds = await page.evaluate(() => JSON.parse(document.getElementById("recto-data").textContent)
    .files[0].changes.filter((c) => c.rules.includes("layout.reorder-blocks")).map((c) => c.id));
  // Accepting one half accepts the other; rejecting the other rejects both.
  await halves.nth(0).locator("button[data-act=accept]").click();
  assert.equal(await halves.nth(1).locator(".state").textContent(), "accepted");
  let toml = parseToml(await decisions(page));
  assert.deepEqual(toml.accepted.map((d) => d.id).sort(), [...moveIds].sort());
  await halves.nth(1).locator("button[data-act=reject]").click();
  assert.equal(await halves.nth(0).locator(".state").textContent(), "rejected");
  toml = parseToml(await decisions(page));
  assert.deepEqual(toml.rejected.map((d) => d.id).sort(), [...moveIds].sort());
  assert.equal(toml.accepted, undefined);
  assert.deepEqual(problems, []);
  await context.close();
});

test("recto apply and recto review read the decisions the page exports", async () => {
  const { page, problems, context } = await open(pages.small);
  const sub = join(dir, "small");
  // Accept the first change (ﬁnancial), reject the second (ﬂawless), leave the rest.
  await page.keyboard.press("a");
  await page.keyboard.press("r");
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("d")]);
  await download.saveAs(join(sub, "recto-decisions.toml"));
  await context.close();

  const applied = execFileSync(RECTO, ["apply", "--quiet", "--decisions", "recto-decisions.toml", "report.txt"],
    { cwd: sub, encoding: "utf8" });
  assert.ok(applied.includes("The financial report"), applied);
  assert.ok(applied.includes("ﬂawless"), "the rejected change stays out: " + applied);
  assert.ok(applied.includes("ofﬁcially"), "undecided changes stay out: " + applied);

  // Reviewing again shows the decisions already made.
  const again = review(sub, ["report.txt", "notes.txt"], "small-again");
  const { page: page2, context: context2 } = await open(again);
  assert.match(await page2.locator("#summary").textContent(), / 1 accepted · 1 rejected · /);
  assert.equal(await page2.locator("article.card").nth(0).locator(".state").textContent(), "accepted");
  assert.equal(await page2.locator("article.card").nth(1).locator(".state").textContent(), "rejected");
  await context2.close();

  assert.deepEqual(problems, []);
  await context.close();
});

test("one decision covers every change of the same id", async () => {
  // The same repair in the same context in two files has one id, and a decisions file
  // lists an id once: deciding it in one file decides it in both.
  const twins = makePage("twins", { "a.txt": "A ﬁne day.\n", "b.txt": "A ﬁne day.\n" });
  const { page, problems, context } = await open(twins);
  const cards = page.locator("article.card");
  assert.equal(await cards.count(), 2);
  await cards.nth(1).locator("button[data-act=reject]").click();
  assert.equal(await cards.nth(0).locator(".state").textContent(), "rejected");
  const toml = parseToml(await decisions(page));
  assert.equal(toml.rejected.length, 1);
  assert.equal(toml.accepted, undefined);
  assert.deepEqual(problems, []);
  await context.close();
});

test("hostile document text and paths render as text", async () => {
  const { page, problems, context } = await open(pages.hostile);
  assert.deepEqual(problems, [], "no alert, no error, no request for x");
  // No element came from the document …
  assert.equal(await page.locator("main img, main script, main b").count(), 0);
  assert.equal(await page.locator("img").count(), 0);
  // … and its markup is visible, character for character.
  const text = await page.locator("main").innerText();
  assert.ok(text.includes("<script>alert(1)</script>"), text);
  assert.ok(text.includes('"><img src=x onerror=alert(2)>'), text);
  assert.ok(text.includes("</script><!--"), text);
  assert.ok(text.includes("&amp; &lt;x&gt;"), text);
  assert.ok(text.includes('"><img src=x onerror=alert(3)>.txt'), text);
  // The decisions file escapes the quote in the path and context, and parses.
  await page.keyboard.press("S");
  const toml = parseToml(await decisions(page));
  assert.ok(toml.accepted.length >= 3);
  assert.equal(toml.accepted[0].path, '"><img src=x onerror=alert(3)>.txt');
  assert.ok(toml.accepted.some((d) => d.context.includes("</script>")));
  await context.close();
});

test(`a review of ${BIG.toLocaleString("en-US")} changes opens quickly and filters`, async () => {
  const { page, problems, context, ms } = await open(pages.big);
  console.log(`# ${BIG} changes: page shown in ${ms} ms`);
  assert.ok(ms < 5000, `took ${ms} ms to show the first card`);
  assert.equal(await shownText(page), `showing ${BIG.toLocaleString("en-US")} of ${BIG.toLocaleString("en-US")}`);
  // Lazily rendered: a page of cards, not ten thousand.
  const initial = await page.locator("article.card").count();
  assert.ok(initial > 0 && initial <= 400, `${initial} cards rendered up front`);
  // Scrolling to the end renders more.
  await page.locator("#sentinel").scrollIntoViewIfNeeded();
  await page.waitForFunction((n) => document.querySelectorAll("article.card").length > n, initial);

  // Filters: by decision state after a bulk accept, by confidence, by rule, by stage.
  let t = Date.now();
  await page.keyboard.press("S");
  assert.match(await page.locator("#summary").textContent(), /10,000 accepted · 0 rejected · 0 undecided/);
  await page.keyboard.press("j");
  await page.keyboard.press("r");
  await page.locator("#f-state").selectOption("rejected");
  assert.equal(await shownText(page), "showing 1 of 10,000");
  await page.locator("#f-state").selectOption("accepted");
  assert.equal(await shownText(page), "showing 9,999 of 10,000");
  await page.locator("#f-state").selectOption("");
  await page.locator("#f-rule").selectOption("unicode.ligature");
  assert.equal(await shownText(page), "showing 10,000 of 10,000");
  await page.locator("#f-stage").selectOption("unicode");
  assert.equal(await shownText(page), "showing 10,000 of 10,000");
  await page.locator("#f-app").selectOption("suggest");
  assert.equal(await shownText(page), "showing 0 of 10,000");
  await page.locator("#f-app").selectOption("");
  await page.locator("#f-conf").fill("1");
  assert.equal(await shownText(page), "showing 10,000 of 10,000");
  const filterMs = Date.now() - t;
  console.log(`# ${BIG} changes: bulk accept and 8 filter changes in ${filterMs} ms`);
  assert.ok(filterMs < 5000, `filtering took ${filterMs} ms`);

  // j and k walk past the rendered cards.
  for (let i = 0; i < 3; i++) await page.keyboard.press("j");
  t = Date.now();
  const toml = parseToml(await decisions(page));
  assert.equal(toml.accepted.length, BIG - 1);
  assert.equal(toml.rejected.length, 1);
  assert.equal(new Set(toml.accepted.map((d) => d.id)).size, BIG - 1);
  console.log(`# ${BIG} changes: decisions exported and parsed in ${Date.now() - t} ms`);
  assert.deepEqual(problems, []);
  await context.close();
});
