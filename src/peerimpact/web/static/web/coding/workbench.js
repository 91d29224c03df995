// The coding workbench: select text, apply codes, see and remove highlights. Driven by the coding API
// (/api/transcripts/{id}, /api/codings, /api/codebook); positions are code points (see offsets.js).
//
// Extension seam (issue 17, code suggestions): when the workbench is ready it dispatches the event
// "workbench:ready" on #workbench with ``detail`` = the object returned by ``workbenchApi()`` below
// (apply a code, read the selection, re-render, add a highlight layer). A suggestions module can be
// loaded beside this one and listen for it.

import { cpLength, cpOffset, utf16Offset } from "./offsets.js";

const root = document.getElementById("workbench");
const textEl = document.getElementById("text");
const statusEl = document.getElementById("status");
const detailsEl = document.getElementById("details");
const filterEl = document.getElementById("palette-filter");
const listEl = document.getElementById("palette-list");
const IID = root.dataset.interview;
const CSRF = root.dataset.csrf;
const RECENT_KEY = "peerimpact.recentCodes";

const state = {
  text: "", cps: [], turns: [], codings: [], codebook: null, me: null, codes: new Map(), memos: [],
  selection: null, // {start, end} in code points: the last non-empty selection inside the text
  current: null, // id of the coding shown in the details pane (keyboard navigation)
  segs: [], // rendered spans, in text order: {el, s, e}
  layers: [], // extra highlight layers (suggestions): functions () => [{start, end, className, title}]
};

// ------------------------------------------------------------------ API
async function call(method, url, body) {
  const init = { method, credentials: "same-origin", headers: { "X-CSRFToken": CSRF, Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch("/api" + url, init);
  if (r.status === 204) return null;
  const data = await r.json().catch(() => ({ errors: [{ field: null, message: r.statusText }] }));
  if (!r.ok) {
    const msg = (data.errors || []).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join("; ");
    throw new Error(msg || `HTTP ${r.status}`);
  }
  return data;
}

function say(message, isError = false) {
  statusEl.textContent = message;
  statusEl.classList.toggle("error", isError);
}

// ------------------------------------------------------------------ colours
function rgba(hex, alpha) {
  let h = hex.replace("#", "");
  if (h.length === 3) h = h.split("").map((c) => c + c).join("");
  const n = parseInt(h, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function colourOf(code) {
  const c = state.codes.get(code);
  return c ? c.colour : "#999999";
}

function nameOf(code) {
  const c = state.codes.get(code);
  return c ? c.name : code;
}

// ------------------------------------------------------------------ rendering
function quote(start, end) {
  return state.cps.slice(start, end).join("");
}

function render() {
  // the user's selection survives re-rendering (a response may arrive while they select the next passage)
  const live = state.segs.length ? currentRange() : null;
  const n = state.cps.length;
  const points = new Set([0, n]);
  for (const t of state.turns) { points.add(t.start); points.add(t.end); }
  const extra = state.layers.flatMap((f) => f());
  for (const c of state.codings) { points.add(c.start); points.add(c.end); }
  for (const x of extra) { points.add(x.start); points.add(x.end); }
  const sorted = [...points].filter((p) => p >= 0 && p <= n).sort((a, b) => a - b);
  // codings starting at each point, and an active list swept along
  const starts = new Map();
  for (const c of state.codings) {
    if (!starts.has(c.start)) starts.set(c.start, []);
    starts.get(c.start).push(c);
  }
  const extraStarts = new Map();
  for (const x of extra) {
    if (!extraStarts.has(x.start)) extraStarts.set(x.start, []);
    extraStarts.get(x.start).push(x);
  }
  const turnAt = new Map(state.turns.map((t) => [t.start, t]));
  // the spans are written as one HTML string (parsed natively: far faster than a createElement per span); their colours
  // are set through the CSSOM afterwards (the Content-Security-Policy forbids style attributes in markup)
  const html = [];
  const colours = []; // [k, property, value] for highlighted spans
  let inTurn = false;
  let active = [];
  let activeExtra = [];
  const bounds = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const s = sorted[i], e = sorted[i + 1];
    if (turnAt.has(s) || !inTurn) {
      const t = turnAt.get(s);
      if (inTurn) html.push("</div>");
      html.push(t && t.speaker ? `<div class="turn" data-speaker="${escapeHtml(String(t.speaker))}">` : '<div class="turn">');
      inTurn = true;
    }
    active = active.filter((c) => c.end > s).concat(starts.get(s) || []);
    activeExtra = activeExtra.filter((x) => x.end > s).concat(extraStarts.get(s) || []);
    const classes = ["seg"];
    let attrs = "";
    if (active.length) {
      const codes = [...new Set(active.map((c) => c.code))];
      classes.push("hl");
      if (codes.length > 1) classes.push("overlap");
      attrs = ` data-codings="${escapeHtml(active.map((c) => c.id).join(" "))}" title="${escapeHtml(codes.map(nameOf).join(", "))}"`;
      colours.push(bounds.length / 2, ...background(codes)); // this span's index
      if (state.current && active.some((c) => c.id === state.current)) classes.push("current");
    }
    for (const x of activeExtra) if (!classes.includes(x.className)) classes.push(x.className);
    html.push(`<span class="${escapeHtml(classes.join(" "))}" data-s="${s}" data-e="${e}"${attrs}>${escapeHtml(quote(s, e))}</span>`);
    bounds.push(s, e);
  }
  if (inTurn) html.push("</div>");
  textEl.innerHTML = html.join("");
  const els = textEl.getElementsByClassName("seg");
  state.segs = new Array(els.length);
  for (let k = 0; k < els.length; k++) state.segs[k] = { el: els[k], s: bounds[2 * k], e: bounds[2 * k + 1] };
  for (let j = 0; j < colours.length; j += 3) state.segs[colours[j]].el.style[colours[j + 1]] = colours[j + 2];
  if (CHANGED_BY_PARSING.test(state.text)) { // NUL, CR or a lone surrogate would not survive the HTML parser: the text as is
    for (const g of state.segs) g.el.textContent = quote(g.s, g.e);
  }
  if (live) selectCp(live.start, live.end);
}

// characters HTML parsing would not keep as they are: NUL, CR, a lone surrogate
const CHANGED_BY_PARSING = /[\0\r]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function escapeHtml(s) {
  return s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
}

const backgrounds = new Map(); // codes (in order) -> [style property, value]

function background(codes) {
  const key = codes.join("\u0000");
  let found = backgrounds.get(key);
  if (!found) {
    if (codes.length === 1) {
      found = ["backgroundColor", rgba(colourOf(codes[0]), 0.35)];
    } else {
      const step = 100 / codes.length;
      const stops = codes.map((c, k) => `${rgba(colourOf(c), 0.45)} ${k * step}% ${(k + 1) * step}%`);
      found = ["backgroundImage", `linear-gradient(to bottom, ${stops.join(", ")})`];
    }
    backgrounds.set(key, found);
  }
  return found;
}

// ------------------------------------------------------------------ selection <-> code points
function segFor(node) {
  const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  return el && el.closest ? el.closest(".seg") : null;
}

function pointToCp(node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = segFor(node);
    if (seg) return Number(seg.dataset.s) + cpOffset(node.data, offset);
  }
  const seg = segFor(node);
  if (seg) return offset === 0 ? Number(seg.dataset.s) : Number(seg.dataset.e);
  // an element boundary (turn or text container): the next segment's start, else the previous one's end
  const child = node.childNodes[offset];
  const after = child ? (child.classList && child.classList.contains("seg") ? child : child.querySelector && child.querySelector(".seg")) : null;
  if (after) return Number(after.dataset.s);
  const all = textEl.querySelectorAll(".seg");
  for (let k = all.length - 1; k >= 0; k--) {
    const pos = node.compareDocumentPosition(all[k]);
    if (all[k] === node || pos & Node.DOCUMENT_POSITION_PRECEDING || pos & Node.DOCUMENT_POSITION_CONTAINED_BY) {
      return Number(all[k].dataset.e);
    }
  }
  return 0;
}

function currentRange() {
  const sel = window.getSelection();
  if (!sel.rangeCount) return null;
  const r = sel.getRangeAt(0);
  if (!textEl.contains(r.commonAncestorContainer)) return null;
  const start = pointToCp(r.startContainer, r.startOffset);
  const end = pointToCp(r.endContainer, r.endOffset);
  return { start: Math.min(start, end), end: Math.max(start, end) };
}

function segAt(cp, preferEnd = false) {
  // binary search over rendered segments
  let lo = 0, hi = state.segs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const g = state.segs[mid];
    if (cp < g.s || (preferEnd && cp === g.s && mid > 0)) hi = mid - 1;
    else if (cp > g.e || (!preferEnd && cp === g.e && mid < state.segs.length - 1)) lo = mid + 1;
    else return g;
  }
  return state.segs[Math.max(0, Math.min(lo, state.segs.length - 1))];
}

function domPoint(cp, preferEnd) {
  const g = segAt(cp, preferEnd);
  const node = g.el.firstChild || g.el;
  return [node, node.nodeType === Node.TEXT_NODE ? utf16Offset(node.data, cp - g.s) : 0];
}

function selectCp(start, end) {
  const sel = window.getSelection();
  const range = document.createRange();
  const [sn, so] = domPoint(start, false);
  const [en, eo] = domPoint(end, true);
  range.setStart(sn, so);
  range.setEnd(en, eo);
  sel.removeAllRanges();
  sel.addRange(range);
  state.selection = end > start ? { start, end } : state.selection;
}

function captureSelection() {
  const r = currentRange();
  if (r && r.end > r.start) state.selection = r;
}

document.addEventListener("selectionchange", captureSelection);

// ------------------------------------------------------------------ palette
function recentCodes() {
  try { return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]"); } catch { return []; }
}

function remember(code) {
  const list = [code, ...recentCodes().filter((c) => c !== code)].slice(0, 5);
  try { localStorage.setItem(RECENT_KEY, JSON.stringify(list)); } catch { /* private mode: no recent list */ }
}

function paletteCodes() {
  const active = state.codebook.codes.filter((c) => c.active);
  const recent = recentCodes().filter((id) => active.some((c) => c.id === id));
  const ordered = [...recent.map((id) => active.find((c) => c.id === id)), ...active.filter((c) => !recent.includes(c.id))];
  const q = filterEl.value.trim().toLowerCase();
  return q ? ordered.filter((c) => c.name.toLowerCase().includes(q) || c.id.toLowerCase().includes(q)) : ordered;
}

function renderPalette() {
  const recent = new Set(recentCodes());
  const items = paletteCodes().map((c, k) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "code-button";
    b.dataset.code = c.id;
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.backgroundColor = c.colour;
    sw.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.textContent = (k < 9 ? `${k + 1} ` : "") + c.name + (recent.has(c.id) ? " (recent)" : "");
    b.append(sw, label);
    b.setAttribute("aria-label", `Apply code ${c.name}` + (k < 9 ? ` (key ${k + 1})` : ""));
    b.addEventListener("mousedown", (ev) => ev.preventDefault()); // keep the text selection
    b.addEventListener("click", () => applyCode(c.id));
    li.appendChild(b);
    return li;
  });
  listEl.replaceChildren(...items);
}

filterEl.addEventListener("input", renderPalette);
filterEl.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter") {
    ev.preventDefault();
    const first = paletteCodes()[0];
    const done = () => { filterEl.value = ""; renderPalette(); textEl.focus(); restoreSelection(); };
    if (first) applyCode(first.id).then(done);
    else if (root.dataset.mayEdit === "1" && filterEl.value.trim()) emergingCode(filterEl.value.trim()).then(done);
    else say("No code matches; research admins (or coders, where the study allows) add codes.", true);
  } else if (ev.key === "Escape") {
    ev.preventDefault();
    filterEl.value = "";
    renderPalette();
    textEl.focus();
    restoreSelection();
  }
});

function restoreSelection() {
  if (state.selection) selectCp(state.selection.start, state.selection.end);
}

// ------------------------------------------------------------------ emerging codes and the recode queue
function slug(name) {
  const s = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9_.]+/g, "_").replace(/^[^a-z0-9]+|_+$/g, "");
  return s || "code";
}

async function emergingCode(name) {
  try {
    const book = await call("POST", "/codebook/changes", {
      base_version: state.codebook.version, action: "add", id: slug(name), name, reason: "emerging code, added while coding",
    });
    setCodebook(book);
    return await applyCode(slug(name));
  } catch (err) {
    say(`Code not added: ${err.message}`, true);
    if (/changed since you loaded it/.test(err.message)) setCodebook(await call("GET", "/codebook"));
    return null;
  }
}

function setCodebook(book) {
  state.codebook = book;
  state.codes = new Map(book.codes.map((c) => [c.id, c]));
  backgrounds.clear(); // colours may have changed
  renderPalette();
}

async function loadRecode(pending = null) {
  const box = document.getElementById("recode-box");
  const list = document.getElementById("recode-list");
  const data = await (pending || call("GET", `/recode?interview_id=${encodeURIComponent(IID)}`));
  box.hidden = data.items.length === 0;
  list.replaceChildren(...data.items.map((c) => {
    const li = document.createElement("li");
    const q = document.createElement("blockquote");
    q.textContent = c.quote;
    const label = document.createElement("span");
    label.textContent = `${c.code_before} (split) by ${c.coder}: `;
    li.append(label, q);
    for (const code of c.recode) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = `Recode as ${nameOf(code)}`;
      b.addEventListener("click", async () => {
        state.selection = { start: c.start, end: c.end };
        const made = await applyCode(code);
        if (made) { await removeCoding(c.id); await loadRecode(); }
      });
      li.appendChild(b);
    }
    return li;
  }));
}

// ------------------------------------------------------------------ coding
async function applyCode(code, origin = "human", modelVersion = null) {
  captureSelection();
  const span = state.selection;
  if (!span || span.end <= span.start) {
    say("Select some text first.", true);
    return null;
  }
  const body = { interview_id: IID, start: span.start, end: span.end, code };
  if (origin !== "human") { body.origin = origin; body.model_version = modelVersion; }
  try {
    const coding = await call("POST", "/codings", body);
    if (!state.codings.some((c) => c.id === coding.id)) state.codings.push(coding);
    remember(code);
    state.current = coding.id;
    render();
    renderPalette();
    showDetails(coding.id);
    say(`Coded “${truncate(coding.quote)}” as ${nameOf(code)}.`);
    return coding;
  } catch (err) {
    say(`Not saved: ${err.message}`, true);
    return null;
  }
}

async function removeCoding(id) {
  const c = state.codings.find((x) => x.id === id);
  try {
    await call("DELETE", `/codings/${id}`);
  } catch (err) {
    say(`Not removed: ${err.message}`, true);
    return;
  }
  state.codings = state.codings.filter((x) => x.id !== id);
  state.current = null;
  render();
  detailsEl.replaceChildren(hint("Coding removed."));
  say(`Removed ${nameOf(c.code)} from “${truncate(c.quote)}”.`);
}

async function changeCoding(id, code) {
  const c = state.codings.find((x) => x.id === id);
  state.selection = { start: c.start, end: c.end };
  const made = await applyCode(code);
  if (made && made.id !== id) await removeCoding(id).then(() => showDetails(made.id));
}

function truncate(s, n = 60) {
  const cps = Array.from(s);
  return cps.length > n ? cps.slice(0, n).join("") + "…" : s;
}

function hint(text) {
  const p = document.createElement("p");
  p.className = "muted";
  p.textContent = text;
  return p;
}

// ------------------------------------------------------------------ details
function codingsCovering(id) {
  const c = state.codings.find((x) => x.id === id);
  if (!c) return [];
  return state.codings.filter((x) => x.start < c.end && x.end > c.start)
    .sort((a, b) => (a.id === id ? -1 : b.id === id ? 1 : a.start - b.start));
}

function showDetails(id) {
  state.current = id;
  const items = codingsCovering(id);
  if (!items.length) { detailsEl.replaceChildren(hint("No coding here.")); return; }
  const list = document.createElement("ul");
  list.className = "coding-list";
  for (const c of items) {
    const li = document.createElement("li");
    li.dataset.coding = c.id;
    if (c.id === id) li.classList.add("current");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.backgroundColor = colourOf(c.code);
    const head = document.createElement("strong");
    head.textContent = nameOf(c.code);
    const meta = document.createElement("span");
    meta.className = "muted";
    meta.textContent = ` by ${c.coder} · [${c.start}, ${c.end})` + (c.origin !== "human" ? ` · ${c.origin}` : "");
    const q = document.createElement("blockquote");
    q.textContent = c.quote;
    li.append(sw, head, meta, q);
    if (c.coder === state.me || root.dataset.admin === "1") {
      const rm = document.createElement("button");
      rm.type = "button";
      rm.className = "secondary remove";
      rm.textContent = `Remove ${nameOf(c.code)}`;
      rm.addEventListener("click", () => removeCoding(c.id));
      const label = document.createElement("label");
      const selId = `change-${c.id}`;
      label.htmlFor = selId;
      label.textContent = "Change to";
      const sel = document.createElement("select");
      sel.id = selId;
      for (const code of state.codebook.codes.filter((x) => x.active)) {
        const o = document.createElement("option");
        o.value = code.id;
        o.textContent = code.name;
        o.selected = code.id === c.code;
        sel.appendChild(o);
      }
      sel.addEventListener("change", () => changeCoding(c.id, sel.value));
      const row = document.createElement("div");
      row.className = "actions";
      row.append(rm, label, sel);
      li.appendChild(row);
    }
    list.appendChild(li);
  }
  detailsEl.replaceChildren(list, memoPane(items[0]));
  for (const g of state.segs) g.el.classList.toggle("current", (g.el.dataset.codings || "").split(" ").includes(id));
}

// ------------------------------------------------------------------ memos
function memoPane(c) {
  const box = document.createElement("section");
  box.className = "memos";
  box.setAttribute("aria-label", "Memos");
  const h = document.createElement("h3");
  h.textContent = "Memos";
  box.appendChild(h);
  const themes = (state.codes.get(c.code) || { themes: [] }).themes || [];
  const themeName = (id) => ((state.codebook.themes || []).find((t) => t.id === id) || { name: id }).name;
  const targets = [["segment", c.segment_id, "this segment"], ["code", c.code, `the code ${nameOf(c.code)}`],
    ...themes.map((id) => ["theme", id, `the theme ${themeName(id)}`]), ["transcript", IID, "this transcript"]];
  const shown = state.memos.filter((m) => targets.some(([t, id]) => m.target_type === t && m.target_id === id));
  const ul = document.createElement("ul");
  ul.className = "memo-list";
  for (const m of shown) {
    const li = document.createElement("li");
    const meta = document.createElement("span");
    meta.className = "muted";
    meta.textContent = `${m.kind} memo on ${m.target_type} by ${m.author}${m.date ? ", " + m.date : ""}: `;
    const text = document.createElement("span");
    text.textContent = m.text;
    li.append(meta, text);
    ul.appendChild(li);
  }
  if (!shown.length) {
    const li = document.createElement("li");
    li.appendChild(hint("No memos here yet."));
    ul.appendChild(li);
  }
  const form = document.createElement("form");
  form.className = "memo-form";
  const field = (labelText, el, id) => {
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = labelText;
    el.id = id;
    const p = document.createElement("p");
    p.append(label, el);
    return p;
  };
  const target = document.createElement("select");
  for (const [t, id, label] of targets) {
    const o = document.createElement("option");
    o.value = `${t}\u0000${id}`;
    o.textContent = label;
    target.appendChild(o);
  }
  const kind = document.createElement("select");
  for (const k of ["interpretive", "analytic", "reflexive"]) {
    const o = document.createElement("option");
    o.value = k;
    o.textContent = k;
    kind.appendChild(o);
  }
  const text = document.createElement("textarea");
  text.rows = 3;
  text.required = true;
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = "Save memo";
  form.append(field("Memo on", target, "memo-target"), field("Kind", kind, "memo-kind"), field("Memo", text, "memo-text"), save);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const [targetType, targetId] = target.value.split("\u0000");
    try {
      const m = await call("POST", "/memos", { target_type: targetType, target_id: targetId, kind: kind.value, text: text.value });
      state.memos.push(m);
      showDetails(c.id);
      say(`Memo saved (${m.kind}, on ${m.target_type}).`);
    } catch (err) {
      say(`Memo not saved: ${err.message}`, true);
    }
  });
  box.append(ul, form);
  return box;
}

// ------------------------------------------------------------------ navigation
function orderedCodings() {
  return [...state.codings].sort((a, b) => a.start - b.start || a.end - b.end || a.code.localeCompare(b.code) || a.id.localeCompare(b.id));
}

function move(step) {
  const list = orderedCodings();
  if (!list.length) { say("No highlights yet."); return; }
  let k = list.findIndex((c) => c.id === state.current);
  if (k < 0) {
    const at = state.selection ? state.selection.start : 0;
    k = step > 0 ? list.findIndex((c) => c.start >= at) - 1 : list.findIndex((c) => c.start >= at);
    if (k < -1) k = step > 0 ? -1 : list.length;
  }
  k = (k + step + list.length) % list.length;
  const c = list[k];
  selectCp(c.start, c.end);
  showDetails(c.id);
  say(`Highlight ${k + 1} of ${list.length}: ${nameOf(c.code)} by ${c.coder}, “${truncate(c.quote)}”.`);
}

const EXTEND = { ArrowLeft: "backward", ArrowRight: "forward", ArrowUp: "backward", ArrowDown: "forward" };

textEl.addEventListener("focus", () => {
  const sel = window.getSelection();
  if (!sel.rangeCount || !textEl.contains(sel.anchorNode)) {
    if (state.selection) restoreSelection();
    else if (state.segs.length) selectCp(0, 0);
  }
});

textEl.addEventListener("keydown", (ev) => {
  const sel = window.getSelection();
  if (ev.key in EXTEND && !ev.altKey) {
    ev.preventDefault();
    const unit = ev.key === "ArrowUp" || ev.key === "ArrowDown" ? "line" : ev.ctrlKey || ev.metaKey ? "word" : "character";
    if (!sel.rangeCount || !textEl.contains(sel.anchorNode)) selectCp(0, 0);
    sel.modify(ev.shiftKey ? "extend" : "move", EXTEND[ev.key], unit);
    state.current = null;
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  captureSelection(); // selectionchange is queued: take the selection made by the last key now
  if (/^[1-9]$/.test(ev.key)) {
    const code = paletteCodes()[Number(ev.key) - 1];
    if (code) { ev.preventDefault(); applyCode(code.id); }
  } else if (ev.key === "c" || ev.key === "Enter") {
    ev.preventDefault();
    filterEl.focus();
  } else if (ev.key === "n" || ev.key === "]") {
    ev.preventDefault();
    move(1);
  } else if (ev.key === "p" || ev.key === "[") {
    ev.preventDefault();
    move(-1);
  } else if (ev.key === "Delete" || ev.key === "Backspace") {
    const c = state.codings.find((x) => x.id === state.current);
    if (c && c.coder === state.me) { ev.preventDefault(); removeCoding(c.id); }
  } else if (ev.key === "Escape") {
    const at = state.selection ? state.selection.start : 0;
    state.current = null;
    state.selection = null;
    selectCp(at, at);
  }
});

textEl.addEventListener("mouseup", () => {
  const r = currentRange();
  if (r && r.end === r.start) {
    const g = segAt(r.start);
    const ids = (g && g.el.dataset.codings) ? g.el.dataset.codings.split(" ") : [];
    if (ids.length) showDetails(ids[ids.length - 1]);
  }
});

// ------------------------------------------------------------------ loading and refresh
async function refresh() {
  const data = await call("GET", `/codings?interview_id=${encodeURIComponent(IID)}`);
  const before = state.codings.map((c) => c.id).join();
  state.codings = data.items;
  if (before !== state.codings.map((c) => c.id).join()) render();
}

export function workbenchApi() {
  return {
    interviewId: IID, call, applyCode, removeCoding, refresh, render, say,
    selection: () => state.selection,
    codings: () => [...state.codings],
    codebook: () => state.codebook,
    addLayer: (fn) => { state.layers.push(fn); render(); },
  };
}

async function start() {
  try {
    const q = encodeURIComponent(IID);
    const memos = call("GET", `/memos?interview_id=${q}`); // all four requests at once
    const recode = call("GET", `/recode?interview_id=${q}`);
    const [t, book] = await Promise.all([call("GET", `/transcripts/${q}`), call("GET", "/codebook")]);
    performance.mark("workbench-data"); // bench/coding_load.py: the transcript and codebook are here
    state.text = t.text;
    state.cps = Array.from(t.text);
    state.turns = t.turns;
    state.codings = t.codings;
    state.me = t.me;
    setCodebook(book);
    render();
    performance.mark("workbench-rendered"); // bench/coding_load.py: text and highlights built
    const wanted = /^(\d+)-(\d+)$/.exec(new URLSearchParams(location.search).get("select") || "");
    if (wanted && Number(wanted[2]) > Number(wanted[1])) { // "code this passage" from a search result
      textEl.focus();
      selectCp(Number(wanted[1]), Number(wanted[2]));
      const g = segAt(Number(wanted[1]));
      if (g) g.el.scrollIntoView({ block: "center" });
    }
    state.memos = (await memos).items;
    await loadRecode(recode);
    root.dataset.ready = "1";
    performance.mark("workbench-ready"); // bench/coding_load.py reads it: interactive this long after navigation
    say(`${t.codings.length} coding${t.codings.length === 1 ? "" : "s"} shown. ${cpLength(t.text)} characters.`);
    root.dispatchEvent(new CustomEvent("workbench:ready", { detail: workbenchApi() }));
    setInterval(() => { if (document.visibilityState === "visible") refresh().catch(() => {}); }, 15000);
  } catch (err) {
    textEl.textContent = `Could not load the transcript: ${err.message}`;
  }
}

start();
