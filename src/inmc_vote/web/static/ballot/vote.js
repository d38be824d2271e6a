// The vote page (/vote/<ballot>): read the token, check the ballot's fingerprint and
// the token's roll line, let the representative choose as the method asks, confirm,
// then build the protocol v2 ballot in this browser (protocol.js: encrypted to the
// election key, proved and signed; docs/protocol.md, "The ballot"), show its tracker
// before sending it, send it, and check that the signed receipt names that tracker (protocol.md, "Board, receipts, seal").
// The token never leaves this page: only the encrypted, signed ballot is sent. Every
// sentence shown comes from the page (#vote-words, translated on the server); the
// server's refusals are shown from their problem details.

import { pageWords, sentence } from "./words.js";

// protocol.js (and with it the vendored @noble/curves, through the page's import map) is
// loaded by start(): if it cannot load, the page says so instead of staying blank.
/** @type {typeof import("./protocol.js")} */
let P = null;

const $ = (id) => document.getElementById(id);
const app = $("vote-app");
const ballotId = app.dataset.ballot;
const ballotZone = app.dataset.zone || "UTC";
const api = `/api/v1/ballots/${encodeURIComponent(ballotId)}`;
const STEPS = ["step-token", "step-check", "step-choose", "step-confirm", "step-receipt"];
const RANKED = new Set(["irv", "schulze"]);
const SINGLE = new Set(["plurality", "exhaustive"]);

const words = pageWords("vote-words");

/** A sentence of the page, with {name} placeholders filled. */
const w = (key, vars = {}) => sentence(words, key, vars);

/** An element with attributes and children (strings become text, never HTML). */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** A refusal with a sentence for the voter (from the server's problem details or ours). */
class Refusal extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const state = {
  seed: null,
  credential: null,
  manifest: null,
  manifestHash: null,
  candidates: [],
  dossiers: new Map(),
  ranking: [],
  vote: null,
  ballot: null, // the v2 ballot built for `vote`, sent as it is (also when sent again)
  tracker: null, // its tracker (bytes), shown before sending; the receipt must name it
  downloadUrl: null,
};

// --- Showing things ------------------------------------------------------------------------

function showStep(step, { focus = true } = {}) {
  for (const id of STEPS) $(id).hidden = id !== step;
  if (focus) $(step).querySelector("h2").focus();
}

/** A polite status message (aria-live). */
function say(text) {
  $("vote-status").textContent = text;
}

/** An error for the voter (role=alert), or none. */
function problem(text) {
  const box = $("vote-problem");
  box.replaceChildren();
  box.classList.toggle("alert", Boolean(text));
  if (text) box.append(el("p", { text }));
}

function busy(on) {
  app.setAttribute("aria-busy", on ? "true" : "false");
  for (const button of app.querySelectorAll("button[data-busy-off]")) button.disabled = on;
}

async function detailOf(response) {
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string" && body.detail) return body.detail;
  } catch {
    // not problem details: say what we know
  }
  return w("server-error", { status: String(response.status) });
}

/** GET `url`, or POST `body` as JSON when given (a look-up that keeps its key out of the path). */
async function getJson(url, body) {
  let response;
  try {
    response = await fetch(
      url,
      body === undefined
        ? { headers: { Accept: "application/json" } }
        : {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json" },
            body: JSON.stringify(body),
          },
    );
  } catch {
    throw new Refusal(0, w("network"));
  }
  if (!response.ok) throw new Refusal(response.status, await detailOf(response));
  return response.json();
}

/** The page's language, for dates and plurals (the server sets <html lang>). Plain "en"
 * reads dates as the server's English pages do, day first ("2 December 2026"). */
function pageLang() {
  const lang = document.documentElement.lang || "en";
  return lang === "en" ? "en-GB" : lang;
}

/** A moment as people read it, as the server's pages write it ("13 December 2026, 22:50
 * (Europe/Paris, UTC+1)"), in the page's language; then, when the reader's own zone is at
 * another offset, the same moment in the reader's zone. `iso` is the server's ISO text. */
function readableTime(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return String(iso ?? "");
  const lang = pageLang();
  const offset = (timeZone) => {
    const named = new Intl.DateTimeFormat("en", { timeZone, timeZoneName: "shortOffset" })
      .formatToParts(moment)
      .find((part) => part.type === "timeZoneName")?.value;
    return (named ?? "GMT").replace("GMT", "UTC");
  };
  const inZone = (timeZone) => {
    const date = new Intl.DateTimeFormat(lang, { timeZone, dateStyle: "long" }).format(moment);
    const time = new Intl.DateTimeFormat(lang, {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(moment);
    const where = timeZone === "UTC" ? "UTC" : `${timeZone}, ${offset(timeZone)}`;
    return `${date}, ${time} (${where})`;
  };
  let text = inZone(ballotZone);
  const reader = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (reader && reader !== ballotZone && offset(reader) !== offset(ballotZone)) {
    text += ` · ${w("your-time", { time: inZone(reader) })}`;
  }
  return text;
}

/** The error shown for the vote form is redone on every change: never a stale one. */
function recheckChoice() {
  if (!$("vote-problem").textContent) return;
  const { error } = voteOfForm();
  problem(error ?? "");
}

function cityName(c) {
  return `${c.city} (${c.country})`;
}

// --- Step 1: the token ------------------------------------------------------------------------

async function readToken(text) {
  problem("");
  const field = $("token");
  field.removeAttribute("aria-invalid");
  if (text.trim() && !text.includes(".")) {
    // A token is always written whole, `<ballot>.ABCD-…`, even on its own ballot's page.
    refuseToken(w("token-no-prefix", { prefix: `${ballotId}.` }));
    return;
  }
  let parsed;
  try {
    parsed = await P.parseToken(text, ballotId);
  } catch (error) {
    if (!(error instanceof P.TokenError)) throw error;
    // in the page's language, from what the error names (its English message is Python's)
    const { facts } = error;
    const message =
      error.kind === "typo"
        ? w("token-typo")
        : error.kind === "other-ballot"
          ? w("token-other-ballot-named", { token: facts.token, page: facts.page })
          : facts.count !== undefined
            ? w("token-length", { expected: String(facts.expected), count: String(facts.count) })
            : `${w("token-format")} ${error.message}`;
    refuseToken(message);
    return;
  }
  busy(true);
  say(w("checking"));
  try {
    await loadManifest();
    const credential = await P.credentialFromSeed(parsed.seed);
    const credentialB64 = P.b64url(credential.publicRaw);
    let line;
    try {
      // In the body, not the path: no access log ties an address to a credential.
      line = await getJson(`${api}/roll/line`, { credential: credentialB64 });
    } catch (error) {
      if (error instanceof Refusal && error.status === 404) throw new Refusal(404, w("not-on-roll"));
      throw error;
    }
    if (line.pk !== credentialB64) throw new Refusal(0, w("roll-bad"));
    if (line.revoked) throw new Refusal(403, w("revoked"));
    const registrar = P.fromB64url(state.manifest.keys.registrar);
    if (!(await P.verifyRollLine(registrar, ballotId, line))) throw new Refusal(0, w("roll-bad"));
    const previous = await findOnBoard(credentialB64);
    if (previous) {
      throw new Refusal(
        409,
        w("already-voted", { seq: String(previous.seq), when: readableTime(previous.received_at) }),
      );
    }
    state.seed = parsed.seed;
    state.credential = credential;
    $("fp-short").textContent = P.shortFingerprint(state.manifestHash);
    $("fp-full").textContent = P.b64url(state.manifestHash);
    $("token-fp").textContent = await P.fingerprint(credential.publicRaw);
    $("fp-differs").hidden = true;
    say(w("token-ok"));
    showStep("step-check");
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    refuseToken(error.message);
  } finally {
    busy(false);
  }
}

function refuseToken(message) {
  say("");
  problem(message);
  showStep("step-token", { focus: false });
  const field = $("token");
  field.setAttribute("aria-invalid", "true");
  field.focus();
}

async function loadManifest() {
  let response;
  try {
    response = await fetch(`${api}/manifest`);
  } catch {
    throw new Refusal(0, w("network"));
  }
  if (!response.ok) throw new Refusal(response.status, await detailOf(response));
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = await P.sha256(bytes); // the fingerprint is the hash of the bytes received
  const announced = response.headers.get("X-Manifest-Hash");
  const manifest = JSON.parse(new TextDecoder().decode(bytes));
  if ((announced && announced !== P.b64url(digest)) || manifest.ballot !== ballotId) {
    throw new Refusal(0, w("manifest-bad"));
  }
  // The authority vouches for these exact bytes; a manifest it did not sign is refused.
  const vouched = await P.verifyManifestSignature(
    P.fromB64url(manifest.keys.authority),
    digest,
    response.headers.get("X-Authority-Signature"),
  );
  if (!vouched) throw new Refusal(0, w("manifest-bad"));
  state.manifest = manifest;
  state.manifestHash = digest;
  state.candidates = manifest.candidates;
  try {
    for (const c of await getJson(`${api}/candidacies`)) {
      if (c.status === "accepted" && c.dossier) {
        state.dossiers.set(`${c.city}\u0000${c.country}`, `/ballots/${ballotId}/candidacies/${c.id}/dossier`);
      }
    }
  } catch {
    // the dossiers are a help, not a need: vote without their links
  }
}

/** This credential's entry on the board, if it has voted already (the board is small). */
async function findOnBoard(credentialB64) {
  let after = 0;
  for (;;) {
    const page = await getJson(`${api}/board?after=${after}`);
    // v1 entries name the credential; v2 board lines hold the ballot (protocol.md, "Board, receipts, seal")
    const mine = page.entries.find((e) => (e.credential ?? e.ballot?.credential) === credentialB64);
    if (mine) return mine;
    if (page.next_after === null || page.next_after === undefined) return null;
    after = page.next_after;
  }
}

// --- Step 3: the choice -------------------------------------------------------------------------

function dossierLink(c) {
  const href = state.dossiers.get(`${c.city}\u0000${c.country}`);
  if (!href) return "";
  return el("a", { href, class: "dossier", target: "_blank", rel: "noopener" }, [
    w("dossier"),
    el("span", { class: "visually-hidden", text: `: ${cityName(c)}` }),
  ]);
}

function buildChoices() {
  const method = state.manifest.method;
  const box = $("choices");
  box.replaceChildren();
  $("method-hint").textContent = w(
    RANKED.has(method) ? "hint-ranked" : method === "approval" ? "hint-approval" : "hint-single",
  );
  if (RANKED.has(method)) {
    state.ranking = [];
    box.append(
      el("h3", { id: "ranking-title", text: w("your-ranking") }),
      el("ol", { id: "ranking-list", class: "ranking", "aria-labelledby": "ranking-title" }),
      el("p", { id: "ranking-empty", class: "hint", text: w("ranking-empty") }),
      el("h3", { id: "unranked-title", text: w("not-ranked") }),
      el("ul", { id: "unranked-list", class: "ranking", "aria-labelledby": "unranked-title" }),
    );
    if (state.candidates.length > P.MAX_RANKS) {
      // a v2 ballot carries at most 26 ranks (protocol.md, "The vote payload"): say so where the ranking is made
      box.prepend(
        el("p", {
          id: "rank-limit",
          class: "hint",
          text: w("rank-limit", { max: String(P.MAX_RANKS) }),
        }),
      );
    }
    renderRanking();
  } else {
    const type = SINGLE.has(method) ? "radio" : "checkbox";
    for (const c of state.candidates) {
      const id = `choice-${c.id}`;
      box.append(
        el("div", { class: "choice" }, [
          el("input", { type, name: "choice", id, value: c.id }),
          el("label", { for: id }, [c.city, " ", el("span", { class: "country", text: `(${c.country})` })]),
          dossierLink(c),
        ]),
      );
    }
  }
  const blank = $("blank-choice");
  blank.hidden = !state.manifest.rules.blank_allowed;
  const blankInput = $("blank");
  blankInput.checked = false;
  blankInput.type = SINGLE.has(method) ? "radio" : "checkbox";
  if (method === "approval" && !box.dataset.wired) {
    box.dataset.wired = "yes";
    // blank and approvals exclude each other: ticking one clears the other
    box.addEventListener("change", () => {
      if (box.querySelector("input:checked")) blankInput.checked = false;
    });
    blankInput.addEventListener("change", () => {
      if (blankInput.checked) for (const input of box.querySelectorAll("input")) input.checked = false;
    });
  }
}

function rankButton(action, label, id, disabled) {
  const c = state.candidates.find((x) => x.id === id);
  return el(
    "button",
    {
      type: "button",
      class: "small secondary",
      "data-action": action,
      "data-id": id,
      "aria-disabled": disabled ? "true" : false,
      // the visible word first, then the city: one name, as a screen reader says it
      "aria-label": `${label}: ${cityName(c)}`,
    },
    [label],
  );
}

/** Draw the ranking and the cities not ranked; then focus a button by (action, id). */
function renderRanking(focus) {
  const ranked = $("ranking-list");
  const unranked = $("unranked-list");
  ranked.replaceChildren();
  unranked.replaceChildren();
  state.ranking.forEach((id, i) => {
    const c = state.candidates.find((x) => x.id === id);
    ranked.append(
      el("li", {}, [
        el("span", { class: "rank-name" }, [
          el("span", { class: "rank", "aria-hidden": "true", text: `${i + 1}.` }),
          " ",
          cityName(c),
        ]),
        dossierLink(c),
        el("span", { class: "rank-tools" }, [
          rankButton("up", w("move-up"), id, i === 0),
          rankButton("down", w("move-down"), id, i === state.ranking.length - 1),
          rankButton("remove", w("remove"), id, false),
        ]),
      ]),
    );
  });
  const full = state.ranking.length >= P.MAX_RANKS; // protocol.md, "The vote payload": at most 26 ranks
  for (const c of state.candidates.filter((x) => !state.ranking.includes(x.id))) {
    unranked.append(
      el("li", {}, [
        el("span", { class: "rank-name", text: cityName(c) }),
        dossierLink(c),
        el("span", { class: "rank-tools" }, [rankButton("add", w("add"), c.id, full)]),
      ]),
    );
  }
  $("ranking-empty").hidden = state.ranking.length > 0;
  $("unranked-title").hidden = state.ranking.length === state.candidates.length;
  if (focus) {
    const target = app.querySelector(
      `button[data-action="${focus.action}"][data-id="${CSS.escape(focus.id)}"]`,
    );
    (target ?? $("choose-title")).focus();
  }
}

function onRankClick(event) {
  const button = event.target.closest("button[data-action]");
  if (!button || button.getAttribute("aria-disabled") === "true") return;
  const { action, id } = button.dataset;
  const ranking = state.ranking;
  const at = ranking.indexOf(id);
  const c = state.candidates.find((x) => x.id === id);
  let focus = { action, id };
  if (action === "add") {
    const waiting = state.candidates.filter((x) => !ranking.includes(x.id));
    const index = waiting.findIndex((x) => x.id === id);
    ranking.push(id);
    const rest = waiting.filter((x) => x.id !== id);
    focus = rest.length
      ? { action: "add", id: rest[Math.min(index, rest.length - 1)].id }
      : { action: ranking.length > 1 ? "up" : "remove", id };
  } else if (action === "up" && at > 0) {
    [ranking[at - 1], ranking[at]] = [ranking[at], ranking[at - 1]];
    if (at - 1 === 0) focus = { action: "down", id };
  } else if (action === "down" && at < ranking.length - 1) {
    [ranking[at + 1], ranking[at]] = [ranking[at], ranking[at + 1]];
    if (at + 1 === ranking.length - 1) focus = { action: "up", id };
  } else if (action === "remove") {
    ranking.splice(at, 1);
    const next = ranking[Math.min(at, ranking.length - 1)];
    focus = next ? { action: "remove", id: next } : { action: "add", id };
  }
  renderRanking(focus);
  const rank = ranking.indexOf(id);
  let news =
    rank >= 0
      ? w("now-ranked", { city: cityName(c), rank: String(rank + 1) })
      : w("now-unranked", { city: cityName(c) });
  const full = ranking.length >= P.MAX_RANKS;
  if (action === "add" && full && ranking.length < state.candidates.length) {
    news = `${news} ${w("rank-full", { max: String(P.MAX_RANKS) })}`;
  }
  say(news);
}

/** The vote the form describes, or a sentence saying what is missing. */
function voteOfForm() {
  const method = state.manifest.method;
  const blank = state.manifest.rules.blank_allowed && $("blank").checked;
  if (RANKED.has(method)) {
    if (blank && state.ranking.length) return { error: w("blank-or-choice") };
    if (blank) return { vote: { v: 1, blank: true } };
    if (!state.ranking.length) return { error: w("need-ranking") };
    return { vote: { v: 1, ranking: [...state.ranking] } };
  }
  const picked = Array.from($("choices").querySelectorAll("input:checked"), (x) => x.value);
  if (blank) return { vote: { v: 1, blank: true } };
  if (SINGLE.has(method)) {
    if (picked.length !== 1) return { error: w("need-choice") };
    return { vote: { v: 1, choice: picked[0] } };
  }
  if (!picked.length) return { error: w("need-approval") };
  return { vote: { v: 1, approve: picked } };
}

function describeVote(vote) {
  const name = (id) => cityName(state.candidates.find((x) => x.id === id));
  const box = $("summary");
  box.replaceChildren();
  if (vote.blank) {
    box.append(el("p", { class: "summary-line", text: w("summary-blank") }));
  } else if (vote.choice) {
    box.append(el("p", { class: "summary-line", text: w("summary-choice", { city: name(vote.choice) }) }));
  } else if (vote.ranking) {
    box.append(
      el("p", { text: w("summary-ranking") }),
      el("ol", { class: "summary-list" }, vote.ranking.map((id) => el("li", { text: name(id) }))),
    );
    if (vote.ranking.length < state.candidates.length) {
      box.append(el("p", { class: "hint", text: w("summary-partial") }));
    }
  } else {
    box.append(
      el("p", { text: w("summary-approval") }),
      el("ul", { class: "summary-list" }, vote.approve.map((id) => el("li", { text: name(id) }))),
    );
  }
}

// --- Step 4 and 5: build and show the tracker, cast, then the receipt ------------------------

/**
 * Build the v2 ballot of the vote (protocol.md, "The ballot") and show it for confirmation with its tracker,
 * before anything is sent. The same ballot is sent by "Cast my vote" (and sent again if
 * the network failed), so the tracker shown is the one the receipt must name (protocol.md, "Board, receipts, seal").
 */
async function prepare(vote) {
  busy(true);
  say(w("encrypting"));
  try {
    const { ballot, tracker } = await P.ballotForVote(
      vote,
      state.seed,
      state.manifest,
      state.manifestHash,
    );
    state.vote = vote;
    state.ballot = ballot;
    state.tracker = tracker;
  } catch (error) {
    if (!(error instanceof P.PayloadError)) throw error;
    say("");
    problem(w("vote-impossible", { reason: error.message }));
    return;
  } finally {
    busy(false);
  }
  describeVote(vote);
  const short = P.shortFingerprint(state.tracker);
  $("summary").append(
    el("p", { id: "tracker-before", class: "tracker" }, [
      w("tracker-before", { tracker: short }),
      " ",
      el("span", { class: "hash" }, [
        w("in-full"),
        " ",
        el("code", { class: "full", text: P.b64url(state.tracker) }),
      ]),
    ]),
  );
  say("");
  showStep("step-confirm");
}

async function cast() {
  problem("");
  busy(true);
  try {
    say(w("sending"));
    let response;
    try {
      response = await fetch(`${api}/cast`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(state.ballot), // the ballot JSON object of protocol.md, "The ballot"
      });
    } catch {
      throw new Refusal(0, w("network-cast"));
    }
    if (!response.ok) {
      throw new Refusal(response.status, `${w("refused")} ${await detailOf(response)}`);
    }
    const receipt = await response.json();
    await showReceipt(receipt);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    say("");
    problem(error.message);
    $("confirm-title").focus();
  } finally {
    busy(false);
  }
}

/** The receipt, checked (protocol.md, "Board, receipts, seal"): it must name our tracker, its hash must recompute, and the
 * authority's signature must verify. A receipt that fails is shown as an alert. */
async function showReceipt(receipt) {
  const ours = P.b64url(state.tracker);
  const { ok, reason } = await P.checkReceipt(receipt, {
    tracker: state.tracker,
    manifestHash: state.manifestHash,
    authorityKey: P.fromB64url(state.manifest.keys.authority),
    ballotId,
  });
  // The tracker shown is always ours: it is what this browser sent and can vouch for.
  $("receipt-short").textContent = P.shortFingerprint(state.tracker);
  $("receipt-full").textContent = ours;
  $("receipt-seq").textContent = String(receipt?.seq ?? "");
  $("receipt-time").textContent = readableTime(receipt?.received_at);
  $("receipt-time").setAttribute("datetime", String(receipt?.received_at ?? ""));
  const check = $("receipt-check");
  check.textContent = ok
    ? w("receipt-verified")
    : reason === "tracker" || reason === "ballot"
      ? w("receipt-other-tracker", { tracker: P.shortFingerprint(state.tracker) })
      : reason === "hash"
        ? w("receipt-bad-hash")
        : w("receipt-not-verified");
  check.className = ok ? "notice" : "alert";
  check.setAttribute("role", ok ? "status" : "alert");

  // The receipt file (protocol.md, "Board, receipts, seal"): {"receipt": ..., "ballot": ...}, for inmc-vote verify --receipt.
  if (state.downloadUrl) URL.revokeObjectURL(state.downloadUrl);
  state.downloadUrl = URL.createObjectURL(
    new Blob([P.receiptFile(receipt, state.ballot)], { type: "application/json" }),
  );
  const download = $("receipt-download");
  download.href = state.downloadUrl;
  download.download = `receipt-${ballotId}-${receipt?.seq ?? "unverified"}.json`;
  $("receipt-board").href = `/ballots/${ballotId}/board?tracker=${encodeURIComponent(ours)}`;

  // The token has done its work on this page: forget it.
  state.seed = null;
  state.credential = null;
  $("token").value = "";
  say(w("cast-done"));
  showStep("step-receipt");
  refreshTurnout();
}

/** The turnout shown under the ballot, now that it has grown by one. */
async function refreshTurnout() {
  const shown = document.querySelector(".voting-facts .turnout");
  try {
    const { turnout } = await getJson(api);
    if (shown && turnout) {
      // the page holds the sentence in each plural form of its language (ngettext)
      const form = new Intl.PluralRules(pageLang()).select(turnout.ballots);
      shown.textContent = w(words.has(`turnout-${form}`) ? `turnout-${form}` : "turnout-other", {
        ballots: String(turnout.ballots),
        eligible: String(turnout.eligible),
      });
    }
  } catch {
    // the page's turnout stays as it was loaded
  }
}

// --- Wiring ----------------------------------------------------------------------------------------

async function start() {
  try {
    P = await import("./protocol.js");
  } catch (error) {
    app.hidden = false;
    for (const id of STEPS) $(id).hidden = true;
    problem(`${w("load-failed")} ${w("unsupported")} (${error?.message ?? error})`);
    return;
  }
  const lacking = await P.supportCheck();
  app.hidden = false;
  if (lacking) {
    for (const id of STEPS) $(id).hidden = true;
    problem(`${lacking} ${w("unsupported")}`);
    return;
  }

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    readToken($("token").value);
  });
  $("fp-same").addEventListener("click", () => {
    buildChoices();
    problem("");
    say("");
    showStep("step-choose");
  });
  $("fp-other").addEventListener("click", () => {
    $("fp-differs").hidden = false;
    $("fp-differs").focus();
  });
  $("choices").addEventListener("click", onRankClick);
  $("choices").addEventListener("click", recheckChoice);
  $("choose-form").addEventListener("change", recheckChoice);
  $("choose-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const { vote, error } = voteOfForm();
    if (error) {
      problem(error);
      return;
    }
    problem("");
    prepare(vote).catch((error) => {
      busy(false);
      problem(`${w("unexpected")} (${error?.message ?? error})`);
    });
  });
  $("change-vote").addEventListener("click", () => {
    problem("");
    state.vote = null;
    state.ballot = null;
    state.tracker = null;
    showStep("step-choose");
  });
  $("cast").addEventListener("click", cast);

  showStep("step-token", { focus: false });
  // Another token link opened in this tab changes only the fragment: read that token too.
  window.addEventListener("hashchange", () => {
    tokenFromAddress().catch((error) => {
      busy(false);
      problem(`${w("unexpected")} (${error?.message ?? error})`);
    });
  });
  await tokenFromAddress();
}

/** A token link: /vote/<ballot>#t=<token>. Read it, then take it out of the address bar
 * (and so out of the history) before anything else happens, every time. */
async function tokenFromAddress() {
  const fromLink = new URLSearchParams(window.location.hash.slice(1)).get("t");
  if (window.location.hash) {
    history.replaceState(history.state, "", window.location.pathname + window.location.search);
  }
  if (!fromLink) return;
  // a new token starts again from step 1: nothing of the previous one is kept
  state.seed = null;
  state.credential = null;
  state.vote = null;
  state.ballot = null;
  state.tracker = null;
  say("");
  showStep("step-token", { focus: false });
  $("token").value = fromLink;
  await readToken(fromLink);
}

start().catch((error) => {
  busy(false);
  problem(`${w("unexpected")} (${error?.message ?? error})`);
});
