// recto review page: shows every change, records a person's decision on each, and
// exports the decisions as `recto-decisions.toml` for `recto apply`.
//
// Document text is untrusted. It reaches the DOM only through `textContent` (see `el`
// and `appendShown`); nothing here assigns `innerHTML` or builds markup from strings.
//
// Cards are rendered lazily, PAGE at a time, as the reader scrolls or moves with j/k,
// so a review with 10,000 changes opens as fast as one with ten.
"use strict";
(() => {
  const PAGE = 200;
  const UNDECIDED = 0, ACCEPTED = 1, REJECTED = 2;
  const STATE_NAMES = ["undecided", "accepted", "rejected"];

  const data = JSON.parse(document.getElementById("recto-data").textContent);
  const rules = data.rules;

  // Every change of every file, in file order and then document order.
  const changes = [];
  data.files.forEach((file, f) => {
    for (const c of file.changes) {
      c.file = f;
      c.stages = [...new Set(c.rules.map((r) => (rules[r] ? rules[r].stage : r.split(".")[0])))];
      changes.push(c);
    }
  });
  // A decision is about a change id (that is what `recto apply` reads), so changes with
  // one id — the same repair in the same context in two files — share it.
  const state = new Uint8Array(changes.length);
  const sameId = new Map();
  changes.forEach((c, i) => {
    state[i] = Math.max(0, STATE_NAMES.indexOf(c.decided || "undecided"));
    const group = sameId.get(c.id);
    if (group) group.push(i);
    else sameId.set(c.id, [i]);
  });
  // The changes one decision covers: those with the same id, and the other halves of a
  // move (`linked`, within the same file), which stand or fall together.
  const together = (i) => {
    const c = changes[i];
    const out = [...sameId.get(c.id)];
    for (const id of c.linked || []) {
      for (const j of sameId.get(id) || []) if (changes[j].file === c.file) out.push(j);
    }
    return out;
  };
  let decidedSinceDownload = false;

  // The view: indices into `changes` that pass the filters, how many of them have
  // cards, and which one the keyboard is on.
  let shown = [];
  let rendered = 0;
  let cursor = -1;
  const cards = new Map();

  const $ = (id) => document.getElementById(id);
  const list = $("list");
  const sentinel = $("sentinel");
  const fmt = (n) => n.toLocaleString("en-US");

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function button(label, act, title) {
    const b = el("button", null, label);
    b.type = "button";
    b.dataset.act = act;
    if (title) b.title = title;
    return b;
  }

  // Characters a reader cannot see or tell from a space: shown as a named symbol, so a
  // change that removes a soft hyphen or a zero-width space is visible.
  const INVISIBLE =
    /[\n\t\f\r\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u00a0\u00ad\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/g;
  const SYMBOLS = { "\n": "↵", "\t": "⇥", "\f": "␌", "\r": "␍", " ": "·" };

  function codePoint(ch) {
    return "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
  }

  function appendShown(parent, text) {
    let last = 0;
    for (const m of text.matchAll(INVISIBLE)) {
      if (m.index > last) parent.append(text.slice(last, m.index));
      const ch = m[0];
      const mark = el("span", "invisible", SYMBOLS[ch] || "⟨" + codePoint(ch) + "⟩");
      mark.title = codePoint(ch);
      parent.append(mark);
      last = m.index + ch.length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  // A marked part; a space inside a change is shown as a middle dot so that a change
  // which only adds or removes spaces can be seen.
  function appendMarked(parent, tag, text) {
    const mark = el(tag);
    if (text === "") {
      mark.className = "empty";
      mark.title = tag === "del" ? "inserted here" : "deleted";
    } else {
      appendShown(mark, text.replace(/ /g, "\u00b7"));
      mark.title = tag === "del" ? "removed" : "inserted";
    }
    parent.append(mark);
  }

  // Word-level diff of the two sides of one change, so a long change (a reflowed line, a
  // repaired garbled phrase) marks only the words that differ. Tokens: runs of letters
  // and digits, runs of spaces, single other characters.
  const TOKEN = /[\p{L}\p{N}\p{M}]+|\s+|[^\p{L}\p{N}\p{M}\s]/gu;
  const MAX_DIFF_CELLS = 250000;

  function wordDiff(a, b) {
    const x = a.match(TOKEN) || [];
    const y = b.match(TOKEN) || [];
    if (x.length * y.length > MAX_DIFF_CELLS || x.length < 2 || y.length < 2) {
      return [["-", a], ["+", b]];
    }
    // Longest common subsequence, table of suffix lengths.
    const w = y.length + 1;
    const t = new Uint32Array((x.length + 1) * w);
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        t[i * w + j] = x[i] === y[j] ? t[(i + 1) * w + j + 1] + 1 : Math.max(t[(i + 1) * w + j], t[i * w + j + 1]);
      }
    }
    const ops = [];
    const push = (op, s) => {
      const prev = ops[ops.length - 1];
      if (prev && prev[0] === op) prev[1] += s;
      else ops.push([op, s]);
    };
    let i = 0, j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        push("=", x[i]); i++; j++;
      } else if (j < y.length && (i === x.length || t[i * w + j + 1] >= t[(i + 1) * w + j])) {
        push("+", y[j]); j++;
      } else {
        push("-", x[i]); i++;
      }
    }
    return ops;
  }

  function diffRow(c, side) {
    const row = el("div", "row " + side);
    row.append(el("span", "sign", side === "before" ? "−" : "+"));
    const text = el("span", "text");
    appendShown(text, c.pre);
    const change = el("span", "change");
    const tag = side === "before" ? "del" : "ins";
    const keep = side === "before" ? "-" : "+";
    const ops = wordDiff(c.before, c.after);
    let marked = false;
    for (const [op, s] of ops) {
      if (op === "=") appendShown(change, s);
      else if (op === keep) { appendMarked(change, tag, s); marked = true; }
    }
    if (!marked) appendMarked(change, tag, "");
    text.append(change);
    appendShown(text, c.post);
    row.append(text);
    return row;
  }

  function card(i) {
    const c = changes[i];
    const art = el("article", "card");
    art.dataset.idx = i;
    art.tabIndex = -1;
    const head = el("header");
    head.append(el("span", "loc", data.files[c.file].path + ":" + c.line + ":" + c.col));
    for (const r of c.rules) head.append(el("span", "rule", r));
    head.append(el("span", "app app-" + c.applicability, c.applicability));
    head.append(el("span", "conf", "confidence " + c.confidence.toFixed(2)));
    const acts = el("span", "buttons");
    acts.append(
      button("Accept", "accept", "a"),
      button("Reject", "reject", "r"),
      button("Undecided", "undecide", "u"),
      button("Accept rule", "accept-rule", "Accept all shown changes of " + c.rules[0] + " (A)"),
      button("Reject rule", "reject-rule", "Reject all shown changes of " + c.rules[0] + " (R)"),
    );
    head.append(el("span", "state"), acts);
    art.append(head);
    const diff = el("div", "diff");
    diff.append(diffRow(c, "before"), diffRow(c, "after"));
    art.append(diff);
    if (c.message) art.append(el("p", "message", c.message));
    if (c.linked) {
      art.append(el("p", "message", "Part of a move: deciding this change decides the " +
        (c.linked.length === 1 ? "other half" : c.linked.length + " other parts") + " too."));
    }
    for (const r of c.rules) {
      const info = rules[r];
      if (!info || !info.explanation) continue;
      const d = el("details", "explain");
      d.append(el("summary", null, r + " — " + info.summary));
      d.append(el("div", "explanation", info.explanation));
      art.append(d);
    }
    paint(art, i);
    return art;
  }

  function paint(art, i) {
    const s = state[i];
    art.classList.remove("undecided", "accepted", "rejected");
    art.classList.add(STATE_NAMES[s]);
    art.querySelector(".state").textContent = STATE_NAMES[s];
  }

  function fileHead(f) {
    const h = el("div", "file-head");
    h.dataset.file = f;
    const n = shown.filter((i) => changes[i].file === f).length;
    h.append(el("h2", null, data.files[f].path));
    h.append(el("span", "count", fmt(n) + " shown of " + fmt(data.files[f].changes.length)));
    h.append(
      button("Accept file", "accept-file", "Accept all shown changes of this file (F)"),
      button("Reject file", "reject-file", "Reject all shown changes of this file (X)"),
    );
    return h;
  }

  function renderMore() {
    const end = Math.min(rendered + PAGE, shown.length);
    const frag = document.createDocumentFragment();
    for (let k = rendered; k < end; k++) {
      const i = shown[k];
      if (k === 0 || changes[shown[k - 1]].file !== changes[i].file) frag.append(fileHead(changes[i].file));
      const art = card(i);
      cards.set(i, art);
      frag.append(art);
    }
    list.append(frag);
    rendered = end;
    const left = shown.length - rendered;
    sentinel.replaceChildren();
    if (left > 0) sentinel.append(button("Show " + fmt(Math.min(PAGE, left)) + " more (" + fmt(left) + " left)", "more"));
  }

  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && rendered < shown.length) renderMore();
  }, { rootMargin: "800px" }).observe(sentinel);

  // ---- filters ---------------------------------------------------------------------

  const filters = {
    file: $("f-file"), rule: $("f-rule"), stage: $("f-stage"),
    app: $("f-app"), state: $("f-state"), conf: $("f-conf"),
  };

  function fillSelects() {
    data.files.forEach((file, f) => {
      const o = el("option", null, file.path + " (" + fmt(file.changes.length) + ")");
      o.value = String(f);
      filters.file.append(o);
    });
    const perRule = new Map();
    for (const c of changes) for (const r of c.rules) perRule.set(r, (perRule.get(r) || 0) + 1);
    for (const r of [...perRule.keys()].sort()) {
      const o = el("option", null, r + " (" + fmt(perRule.get(r)) + ")");
      o.value = r;
      filters.rule.append(o);
    }
    const stages = new Set(changes.flatMap((c) => c.stages));
    for (const s of [...stages].sort()) {
      const o = el("option", null, s);
      o.value = s;
      filters.stage.append(o);
    }
  }

  function applyFilters() {
    const file = filters.file.value, rule = filters.rule.value, stage = filters.stage.value;
    const app = filters.app.value;
    const st = filters.state.value === "" ? -1 : STATE_NAMES.indexOf(filters.state.value);
    const min = Number(filters.conf.value) - 1e-6;
    $("f-conf-value").textContent = Number(filters.conf.value).toFixed(2);
    shown = [];
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i];
      if (file !== "" && c.file !== Number(file)) continue;
      if (rule !== "" && !c.rules.includes(rule)) continue;
      if (stage !== "" && !c.stages.includes(stage)) continue;
      if (app !== "" && c.applicability !== app) continue;
      if (st >= 0 && state[i] !== st) continue;
      if (c.confidence < min) continue;
      shown.push(i);
    }
    list.replaceChildren();
    cards.clear();
    rendered = 0;
    cursor = -1;
    if (shown.length === 0) list.append(el("p", "empty-list", changes.length === 0 ? "No changes to review." : "No change matches the filters."));
    renderMore();
    $("shown").textContent = "showing " + fmt(shown.length) + " of " + fmt(changes.length);
  }

  for (const f of Object.values(filters)) f.addEventListener(f === filters.conf ? "input" : "change", applyFilters);

  // ---- decisions -------------------------------------------------------------------

  function decide(indices, s, { keepDecided = false } = {}) {
    for (const i of indices) {
      if (keepDecided && state[i] !== UNDECIDED) continue;
      for (const j of together(i)) {
        state[j] = s;
        const art = cards.get(j);
        if (art) paint(art, j);
      }
    }
    decidedSinceDownload = true;
    summarize();
  }

  const shownWith = (pred) => shown.filter((i) => pred(changes[i]));

  function summarize() {
    const count = [0, 0, 0];
    const perRule = new Map();
    for (let i = 0; i < changes.length; i++) {
      count[state[i]]++;
      for (const r of changes[i].rules) {
        let row = perRule.get(r);
        if (!row) perRule.set(r, (row = [0, 0, 0]));
        row[state[i]]++;
      }
    }
    $("summary").textContent =
      fmt(data.files.length) + (data.files.length === 1 ? " file · " : " files · ") +
      fmt(changes.length) + " changes · " + fmt(count[ACCEPTED]) + " accepted · " +
      fmt(count[REJECTED]) + " rejected · " + fmt(count[UNDECIDED]) + " undecided";
    const body = $("rules-table").tBodies[0];
    body.replaceChildren();
    for (const r of [...perRule.keys()].sort()) {
      const row = perRule.get(r);
      const tr = el("tr");
      tr.dataset.rule = r;
      const name = el("td");
      name.append(el("code", null, r));
      if (rules[r] && rules[r].summary) name.append(el("div", "summary", rules[r].summary));
      tr.append(name, el("td", null, rules[r] ? rules[r].stage : ""), el("td", null, fmt(row[0] + row[1] + row[2])),
        el("td", null, fmt(row[ACCEPTED])), el("td", null, fmt(row[REJECTED])), el("td", null, fmt(row[UNDECIDED])));
      const acts = el("td");
      acts.append(button("Accept", "accept-rule"), button("Reject", "reject-rule"));
      tr.append(acts);
      body.append(tr);
    }
  }

  // TOML basic string: quotes, backslashes and control characters escaped.
  function tomlString(s) {
    return '"' + s.replace(/[\\"\u0000-\u001f\u007f]/g, (ch) => {
      switch (ch) {
        case "\\": return "\\\\";
        case '"': return '\\"';
        case "\b": return "\\b";
        case "\t": return "\\t";
        case "\n": return "\\n";
        case "\f": return "\\f";
        case "\r": return "\\r";
        default: return "\\u" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      }
    }) + '"';
  }

  // The decisions file, as `recto review` on a terminal writes it (src/decisions.rs):
  // accepted, then rejected, each id once; undecided changes appear in neither list.
  function decisionsToml() {
    const out = [
      "# recto review decisions — `recto apply --decisions FILE PATHS…` applies the accepted",
      "# changes; `decisions = \"FILE\"` in recto.toml keeps rejected changes rejected.",
      "version = 1",
    ];
    for (const s of [ACCEPTED, REJECTED]) {
      for (let i = 0; i < changes.length; i++) {
        const c = changes[i];
        if (state[i] !== s || sameId.get(c.id)[0] !== i) continue;
        out.push("", "[[" + STATE_NAMES[s] + "]]", "id = " + tomlString(c.id), "rule = " + tomlString(c.rules.join("+")),
          "path = " + tomlString(data.files[c.file].path), "context = " + tomlString(c.context));
      }
    }
    return out.join("\n") + "\n";
  }

  function download() {
    const url = URL.createObjectURL(new Blob([decisionsToml()], { type: "application/toml" }));
    const a = el("a");
    a.href = url;
    a.download = "recto-decisions.toml";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    decidedSinceDownload = false;
  }

  // Reads back a decisions file (the subset of TOML that recto writes: array-of-tables
  // headers and `key = "string"` lines), so a review can be continued. Only ids decide.
  function importToml(text) {
    const unescape = (s) => s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e) => {
      if (e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
      return { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" }[e] ?? e;
    });
    const entries = [];
    let cur = null;
    for (const line of text.split(/\r?\n/)) {
      const head = line.match(/^\s*\[\[\s*(accepted|rejected)\s*\]\]\s*$/);
      if (head) { entries.push((cur = { state: STATE_NAMES.indexOf(head[1]) })); continue; }
      const kv = line.match(/^\s*id\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*$/);
      if (kv && cur) cur.id = kv[1] !== undefined ? unescape(kv[1]) : kv[2];
    }
    let matched = 0;
    for (const e of entries) {
      const group = sameId.get(e.id);
      if (!group) continue;
      for (const i of group) state[i] = e.state;
      matched++;
    }
    summarize();
    applyFilters();
    return { entries: entries.length, matched };
  }

  $("import").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    const { entries, matched } = importToml(await file.text());
    $("summary").textContent += " · loaded " + fmt(matched) + " of " + fmt(entries) + " decisions";
    ev.target.value = "";
  });

  // ---- navigation and keys ---------------------------------------------------------

  function focusAt(k) {
    if (shown.length === 0) return;
    k = Math.max(0, Math.min(shown.length - 1, k));
    while (k >= rendered) renderMore();
    const old = cards.get(shown[cursor]);
    if (old) old.classList.remove("current");
    cursor = k;
    const art = cards.get(shown[k]);
    art.classList.add("current");
    art.focus({ preventScroll: true });
    art.scrollIntoView({ block: "nearest" });
    // The sticky header covers the top of the viewport; a card moved to "nearest" from
    // below may sit under it.
    const covered = $("top").getBoundingClientRect().bottom + 8 - art.getBoundingClientRect().top;
    if (covered > 0) window.scrollBy(0, -covered);
  }

  const current = () => (cursor >= 0 && cursor < shown.length ? shown[cursor] : -1);

  function decideCurrent(s) {
    if (cursor < 0) focusAt(0);
    const i = current();
    if (i < 0) return;
    decide([i], s);
    if (cursor < shown.length - 1) focusAt(cursor + 1);
  }

  function nextUndecided() {
    for (let k = cursor + 1; k < shown.length; k++) if (state[shown[k]] === UNDECIDED) return focusAt(k);
  }

  const acceptSafe = () => decide(changes.map((_, i) => i).filter((i) => changes[i].applicability === "safe"), ACCEPTED, { keepDecided: true });
  const ofRule = (r, s) => decide(shownWith((c) => c.rules.includes(r)), s);
  const ofFile = (f, s) => decide(shownWith((c) => c.file === f), s);

  list.addEventListener("click", (ev) => {
    const art = ev.target.closest(".card");
    if (art) {
      const k = shown.indexOf(Number(art.dataset.idx));
      if (k !== cursor) focusAt(k);
    }
    const act = ev.target.closest("button")?.dataset.act;
    if (!act) return;
    const i = art ? Number(art.dataset.idx) : -1;
    const head = ev.target.closest(".file-head");
    switch (act) {
      case "accept": decide([i], ACCEPTED); break;
      case "reject": decide([i], REJECTED); break;
      case "undecide": decide([i], UNDECIDED); break;
      case "accept-rule": ofRule(changes[i].rules[0], ACCEPTED); break;
      case "reject-rule": ofRule(changes[i].rules[0], REJECTED); break;
      case "accept-file": ofFile(Number(head.dataset.file), ACCEPTED); break;
      case "reject-file": ofFile(Number(head.dataset.file), REJECTED); break;
    }
  });
  $("rules-table").addEventListener("click", (ev) => {
    const act = ev.target.closest("button")?.dataset.act;
    const r = ev.target.closest("tr")?.dataset.rule;
    if (act && r) ofRule(r, act === "accept-rule" ? ACCEPTED : REJECTED);
  });
  sentinel.addEventListener("click", (ev) => {
    if (ev.target.closest("button")) renderMore();
  });
  $("accept-safe").addEventListener("click", acceptSafe);
  $("download").addEventListener("click", download);
  $("help-button").addEventListener("click", () => $("help").showModal());
  $("help-close").addEventListener("click", () => $("help").close());

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const field = ev.target.closest && ev.target.closest("input, select, textarea");
    // Escape leaves a filter so that the review keys work again.
    if (field && ev.key === "Escape") return field.blur();
    if (field || (ev.target.closest && ev.target.closest("dialog"))) return;
    const i = current();
    const c = i >= 0 ? changes[i] : null;
    const keys = {
      j: () => focusAt(cursor + 1),
      k: () => focusAt(cursor - 1),
      n: nextUndecided,
      a: () => decideCurrent(ACCEPTED),
      r: () => decideCurrent(REJECTED),
      u: () => decideCurrent(UNDECIDED),
      A: () => c && ofRule(c.rules[0], ACCEPTED),
      R: () => c && ofRule(c.rules[0], REJECTED),
      F: () => c && ofFile(c.file, ACCEPTED),
      X: () => c && ofFile(c.file, REJECTED),
      S: acceptSafe,
      e: () => { const d = i >= 0 && cards.get(i).querySelector("details.explain"); if (d) d.open = !d.open; },
      d: download,
      "?": () => $("help").showModal(),
    };
    const f = keys[ev.key];
    if (f) { ev.preventDefault(); f(); }
  });

  window.addEventListener("beforeunload", (ev) => {
    if (decidedSinceDownload) ev.preventDefault();
  });

  // For tests and scripts: the decisions file as it would be downloaded.
  window.rectoDecisions = decisionsToml;

  const names = data.files.map((f) => f.path.split("/").pop());
  document.title = "recto review — " + (names.length <= 3 ? names.join(", ") : names.length + " files");
  fillSelects();
  summarize();
  applyFilters();
})();
