// Code suggestions in the workbench (issue 17). Loaded beside workbench.js; uses its extension seam
// (workbenchApi / the "workbench:ready" event). Suggestions come from GET /api/suggestions, computed on
// this server from the team's own human codings; nothing is sent elsewhere. A suggestion becomes a
// coding only when the coder accepts it: A accepts (POST /api/codings with origin "suggested" and the
// model version), X rejects (remembered in this browser), J/K or the arrow keys move.

import { workbenchApi } from "./workbench.js";

const root = document.getElementById("workbench");
const REJECTED_KEY = "peerimpact.rejectedSuggestions";
// While the server trains the study's first model (model_state "training") the panel says so and asks again after
// these many seconds, further apart each time, then stops (about two minutes in all): no tight loop.
const RETRY_SECONDS = [2, 3, 5, 8, 13, 20, 30, 45];
const TRAINING_TEXT = "Suggestions will appear once the model has learned from this study's codings.";
// A previous model's suggestions (model_state "stale"): while the server updates the model, and after the update broke
// (the answer then has retry_in_seconds, the server's back-off).
const UPDATING_TEXT = "The model is being updated with the latest codings: these suggestions come from the previous model. "
  + "Reload the page in a minute or so for suggestions that include them.";
const UPDATE_FAILED_TEXT = "The model could not be updated with the latest codings, so these suggestions come from the previous model.";
const state = { api: null, items: [], index: 0, boxEl: null, listEl: null, noteEl: null, version: null, note: null, stale: false, tries: 0 };

function addStyles() {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/static/web/coding/suggest.css";
  document.head.appendChild(link);
}

function keyOf(s) {
  return [state.api.interviewId, s.code, s.start, s.end, s.model_version].join("|");
}

function rejected() {
  try {
    return new Set(JSON.parse(localStorage.getItem(REJECTED_KEY) || "[]"));
  } catch {
    return new Set();
  }
}

function rememberRejected(key) {
  const all = [...rejected(), key].slice(-2000);
  localStorage.setItem(REJECTED_KEY, JSON.stringify(all));
}

function nameOf(code) {
  const book = state.api.codebook();
  const found = book && book.codes ? book.codes.find((c) => c.id === code) : null;
  return found ? found.name : code;
}

function excerpt(text, n = 90) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= n ? flat : flat.slice(0, n - 1) + "…";
}

function buildPanel() {
  const pane = document.querySelector(".side-pane");
  const box = document.createElement("section");
  box.id = "suggest-box";
  box.setAttribute("aria-labelledby", "suggest-label");
  const h = document.createElement("h2");
  h.id = "suggest-label";
  h.textContent = "Suggestions";
  const hint = document.createElement("p");
  hint.id = "suggest-hint";
  hint.className = "muted";
  hint.textContent = "Learned on this server from the team's own codings. In the list: A accepts, X rejects, J / K or arrows move.";
  // The listbox holds only its options (ARIA: a listbox owns options, nothing else); when there is nothing to
  // choose (loading, none, or an error) the listbox is hidden and the message is a paragraph beside it.
  const note = document.createElement("p");
  note.id = "suggest-note";
  note.className = "muted";
  note.setAttribute("aria-live", "polite");
  note.textContent = "Loading suggestions…";
  const list = document.createElement("ul");
  list.id = "suggest-list";
  list.className = "suggest-list";
  list.tabIndex = 0;
  list.hidden = true;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggested codes: A accepts, X rejects");
  list.setAttribute("aria-describedby", "suggest-hint");
  list.addEventListener("keydown", onKey);
  box.append(h, hint, note, list);
  const details = document.getElementById("details-label");
  pane.insertBefore(box, details ? details.closest("section") : null);
  state.boxEl = box;
  state.listEl = list;
  state.noteEl = note;
}

function showNote(text) {
  const hadFocus = document.activeElement === state.listEl;
  state.listEl.replaceChildren();
  state.listEl.removeAttribute("aria-activedescendant");
  state.listEl.hidden = true;
  state.noteEl.textContent = text;
  state.noteEl.hidden = false;
  if (hadFocus) document.getElementById("text").focus();  // the last one was taken: back to the transcript
}

function markReady() {
  state.listEl.dataset.ready = "1";
  state.boxEl.dataset.ready = "1";
}

function sentence(text) {
  const s = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

// When a broken training is tried again, as a time of day (the next whole minute at or after it, 24-hour clock): a
// countdown ("in about 2 minutes") would be wrong by the time it is read, as the panel does not ask again by itself.
// Without retry_in_seconds (not given): "later".
function retryWhen(seconds) {
  if (typeof seconds !== "number") return "later";
  const at = new Date(Math.ceil((Date.now() + seconds * 1000) / 60000) * 60000);
  const pad = (n) => String(n).padStart(2, "0");
  return `at ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

function renderList() {
  const list = state.listEl;
  if (!state.items.length) {
    if (state.stale) showNote(`No suggestions for this transcript. ${state.note}`);
    else showNote(state.note ? `No suggestions: ${state.note}` : "No suggestions for this transcript.");
    state.api.render();
    return;
  }
  list.replaceChildren();
  list.hidden = false;
  // The server's note on these suggestions (a previous model's, and why) stays beside the list; rewritten only when it
  // changes, so that the live region does not announce it again on every accept or reject.
  const note = state.note ? sentence(state.note) : "";
  if (state.noteEl.textContent !== note) state.noteEl.textContent = note;
  state.noteEl.hidden = !note;
  state.index = Math.min(state.index, state.items.length - 1);
  state.items.forEach((s, i) => {
    const li = document.createElement("li");
    li.id = `suggestion-${i}`;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", String(i === state.index));
    li.dataset.code = s.code;
    li.className = i === state.index ? "suggestion current" : "suggestion";
    const head = document.createElement("strong");
    head.textContent = `${nameOf(s.code)} `;
    const score = document.createElement("span");
    score.className = "muted";
    score.textContent = `(${s.score.toFixed(2)})`;
    const passage = document.createElement("blockquote");
    passage.textContent = excerpt(s.text);
    li.append(head, score, passage);
    if (s.examples.length) {
      const why = document.createElement("p");
      why.className = "muted why";
      why.textContent = `Like “${excerpt(s.examples[0].quote, 70)}” (${s.examples[0].interview_id})`;
      li.appendChild(why);
    }
    li.addEventListener("click", () => { state.index = i; renderList(); list.focus(); });
    list.appendChild(li);
  });
  list.setAttribute("aria-activedescendant", `suggestion-${state.index}`);
  state.api.render();
}

async function accept() {
  const s = state.items[state.index];
  if (!s) return;
  const body = { interview_id: state.api.interviewId, start: s.start, end: s.end, code: s.code, origin: "suggested", model_version: s.model_version };
  try {
    await state.api.call("POST", "/codings", body);
  } catch (err) {
    state.api.say(`Not saved: ${err.message}`, true);
    return;
  }
  state.items.splice(state.index, 1);
  await state.api.refresh();
  renderList();
  state.api.say(`Accepted: ${nameOf(s.code)} for “${excerpt(s.text, 50)}”.`);
}

function reject() {
  const s = state.items[state.index];
  if (!s) return;
  rememberRejected(keyOf(s));
  state.items.splice(state.index, 1);
  renderList();
  state.api.say(`Rejected: ${nameOf(s.code)} for “${excerpt(s.text, 50)}”.`);
}

function onKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const k = ev.key.toLowerCase();
  if (k === "a") accept();
  else if (k === "x") reject();
  else if (k === "j" || ev.key === "ArrowDown") { state.index = Math.min(state.index + 1, state.items.length - 1); renderList(); }
  else if (k === "k" || ev.key === "ArrowUp") { state.index = Math.max(state.index - 1, 0); renderList(); }
  else return;
  ev.preventDefault();
}

function failed(err) {
  state.items = [];
  showNote(`No suggestions: ${err.message}`);
  markReady();
}

async function load() {
  const data = await state.api.call("GET", `/suggestions?interview_id=${encodeURIComponent(state.api.interviewId)}`);
  state.boxEl.dataset.state = data.model_state || "none";
  if (data.model_state === "training") {  // no model yet: say so, and ask again later (a bounded number of times)
    state.items = [];
    state.api.render();
    if (state.tries < RETRY_SECONDS.length) {
      showNote(`${TRAINING_TEXT} It is learning now; this panel updates by itself.`);
      setTimeout(() => load().catch(failed), RETRY_SECONDS[state.tries++] * 1000);
      return;
    }
    showNote(`${TRAINING_TEXT} It is not ready yet: reload the page in a few minutes.`);
    markReady();
    return;
  }
  if (data.model_state === "failed") {
    // The training broke: the server waits (minutes) before it tries again (retry_in_seconds). The panel says when, as
    // a time of day, announced like the training note, and does not ask again by itself.
    state.items = [];
    state.note = null;
    state.api.render();
    showNote(`No suggestions: the model could not be trained. It will be tried again ${retryWhen(data.retry_in_seconds)}: reload the page then.`);
    markReady();
    return;
  }
  const gone = rejected();
  const updateFailed = data.model_state === "stale" && typeof data.retry_in_seconds === "number";
  state.version = data.model_version;
  state.stale = data.model_state === "stale";
  if (updateFailed) state.note = `${UPDATE_FAILED_TEXT} It will be tried again ${retryWhen(data.retry_in_seconds)}: reload the page then.`;
  else state.note = state.stale ? UPDATING_TEXT : data.note || null;
  state.items = data.items.filter((s) => !gone.has(keyOf(s)));
  state.listEl.dataset.modelVersion = data.model_version || "";
  // A stale model's suggestions: the heading says whose they are (the server is updating the model, or the update broke).
  const heading = updateFailed ? "Suggestions (from the previous model)" : state.stale ? "Suggestions (updating…)" : "Suggestions";
  document.getElementById("suggest-label").textContent = heading;
  renderList();
  markReady();
}

function start(api) {
  state.api = api;
  addStyles();
  buildPanel();
  api.addLayer(() => state.items.map((s, i) => ({ start: s.start, end: s.end, className: i === state.index ? "suggested-current" : "suggested" })));
  load().catch(failed);
}

if (root.dataset.ready === "1") start(workbenchApi());
else root.addEventListener("workbench:ready", (ev) => start(ev.detail), { once: true });
