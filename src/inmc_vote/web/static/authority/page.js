// The credential authority's page (/ballots/<id>/authority): makes the tokens, letters,
// registrar key and roll in this browser (files.js), offers them as downloads, and
// uploads only the roll, or a lost token's revocation, neither of which holds a token.
// Every sentence shown comes from the page (#authority-words, translated on the server).

import { pageWords, sentence } from "../ballot/words.js";

/** @type {typeof import("./files.js")} */
let F = null;

const $ = (id) => document.getElementById(id);
const app = $("authority-app");
const ballotId = app.dataset.ballot;
const api = `/api/v1/ballots/${encodeURIComponent(ballotId)}`;
const facts = JSON.parse($("letter-facts").textContent);
const ballot = { ballotId: facts.ballot, baseUrl: facts.baseUrl };
const urls = [];

const words = pageWords("authority-words");

/** A sentence of the page, with {name} placeholders filled. */
const w = (key, vars = {}) => sentence(words, key, vars);

function say(text) {
  $("authority-status").textContent = text;
}

function problem(text) {
  const box = $("authority-problem");
  box.replaceChildren();
  if (!text) return;
  const div = document.createElement("div");
  div.className = "alert";
  const p = document.createElement("p");
  p.textContent = text;
  div.append(p);
  box.append(div);
  div.setAttribute("tabindex", "-1");
  div.focus();
}

/** A refusal already in words for the person (the server's, or a network failure). */
class Said extends Error {}

/** A refusal of ours (files.js's FileProblem, by key) or an unexpected error, in words. */
function explain(error) {
  if (F && error instanceof F.FileProblem && words.has(error.message)) return w(error.message);
  return w("failed", { detail: String(error?.message ?? error) });
}

/** Point a download link at a text file made here (it never leaves the browser). */
function offer(id, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  urls.push(url);
  $(id).href = url;
}

/** No QR code in letters made here: docs/browser-v2.md, "The credential authority's page". */
const noQr = () => "";

/** POST a file made here to the API, as the signed-in organiser (session and CSRF header). */
async function upload(path, text) {
  let response;
  try {
    response = await fetch(`${api}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrftoken": app.dataset.csrf },
      credentials: "same-origin",
      body: text,
    });
  } catch {
    throw new Said(w("network"));
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Said(w("server", { detail: body.detail ?? response.statusText }));
  return body;
}

/** Run a step with its button busy, any refusal said in #authority-problem. */
async function step(button, work) {
  problem("");
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    await work();
  } catch (error) {
    problem(error instanceof Said ? error.message : explain(error));
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

let issued = null;

async function issue() {
  if (facts.cities.length === 0) throw new F.FileProblem("no-cities");
  say(w("working"));
  issued = await F.issueFiles(ballot, facts.cities, facts.templates, noQr);
  offer("dl-registrar", issued.registrarKey, "application/json");
  offer("dl-roll", issued.roll, "application/json");
  offer("dl-letters", issued.lettersHtml, "text/html;charset=utf-8");
  offer("dl-csv", issued.tokensCsv, "text/csv;charset=utf-8");
  const each = $("dl-each");
  each.replaceChildren();
  for (const letter of issued.letters) {
    const name = letter.country ? `${letter.city} (${letter.country})` : letter.city;
    const url = URL.createObjectURL(
      new Blob([F.lettersHtml(facts.templates.letters, ballot, [letter], noQr)], {
        type: "text/html;charset=utf-8",
      }),
    );
    urls.push(url);
    const link = document.createElement("a");
    link.href = url;
    link.download = `${name}.html`;
    link.textContent = name;
    const item = document.createElement("li");
    item.append(link);
    each.append(item);
  }
  $("roll-hash").textContent = issued.rollHash;
  $("issue-done").hidden = false;
  $("issue-button").remove(); // a second set would not match the first
  say(w("issued", { count: String(issued.letters.length) }));
  // The files exist only in this page: ask before leaving it.
  window.addEventListener("beforeunload", (event) => event.preventDefault());
  $("dl-registrar").focus();
}

let csvLetters = [];
let replaced = null;

async function readFile(input) {
  const file = input.files?.[0];
  return file ? file.text() : null;
}

async function chooseCsv() {
  problem("");
  const select = $("city");
  const text = await readFile($("csv-file"));
  select.replaceChildren();
  select.disabled = true;
  if (text === null) return;
  try {
    csvLetters = F.lettersOfCsv(text);
  } catch (error) {
    problem(explain(error));
    return;
  }
  const first = document.createElement("option");
  first.value = "";
  first.textContent = w("pick-city");
  select.append(first);
  const order = csvLetters
    .map((letter, index) => ({ letter, index }))
    .sort((a, b) => a.letter.city.localeCompare(b.letter.city));
  for (const { letter, index } of order) {
    const option = document.createElement("option");
    option.value = String(index);
    option.textContent = letter.country ? `${letter.city} (${letter.country})` : letter.city;
    select.append(option);
  }
  select.disabled = false;
}

async function replace() {
  const picked = $("city").value;
  if (picked === "") throw new F.FileProblem("pick-city");
  const lost = csvLetters[Number(picked)];
  const keyText = await readFile($("key-file"));
  if (keyText === null) throw new F.FileProblem("registrar-not-json");
  let rollText = await readFile($("roll-file"));
  if (rollText === null) {
    const response = await fetch(`${api}/roll`);
    if (!response.ok) throw new Said(w("network"));
    rollText = await response.text();
  }
  replaced = await F.revokeFiles(ballot, keyText, rollText, lost, facts.templates, noQr);
  offer("dl-revocation", replaced.revocation, "application/json");
  offer("dl-replacement", replaced.lettersHtml, "text/html;charset=utf-8");
  offer("dl-replacement-csv", replaced.tokensCsv, "text/csv;charset=utf-8");
  $("replace-said").textContent = w("replaced", {
    city: lost.city,
    fingerprint: replaced.revokedFingerprint,
    new: replaced.letter.fingerprint,
  });
  $("replace-done").hidden = false;
  window.addEventListener("beforeunload", (event) => event.preventDefault());
  $("revocation-uploaded").hidden = true;
  $("dl-replacement").focus();
}

/** Upload a roll.json or revocation.json made elsewhere, by its format. */
async function uploadKept() {
  $("file-uploaded").hidden = true;
  const text = await readFile($("upload-file"));
  let format = null;
  try {
    format = JSON.parse(text ?? "").format;
  } catch {
    format = null;
  }
  const path = { [F.ROLL_FORMAT]: "/roll", [F.REVOCATION_FORMAT]: "/revocations" }[format];
  if (!path) throw new Said(w("not-a-file-to-upload"));
  say(w("uploading"));
  const answer = await upload(path, text);
  $("file-uploaded-said").textContent =
    path === "/roll"
      ? w("roll-uploaded", { fingerprint: answer.fingerprint })
      : w("revocation-uploaded");
  $("file-uploaded").hidden = false;
  say("");
}

async function start() {
  try {
    F = await import("./files.js");
    const { supportCheck } = await import("../ballot/protocol.js");
    const missing = await supportCheck();
    if (missing) {
      problem(w("no-js-crypto"));
      app.hidden = false;
      return;
    }
  } catch {
    problem(w("no-js-crypto"));
    app.hidden = false;
    return;
  }
  app.hidden = false;
  const issueButton = $("issue-button");
  if (issueButton) issueButton.addEventListener("click", () => step(issueButton, issue));
  const uploadRoll = $("upload-roll");
  if (uploadRoll) {
    uploadRoll.addEventListener("click", () =>
      step(uploadRoll, async () => {
        say(w("uploading"));
        const answer = await upload("/roll", issued.roll);
        $("roll-uploaded-said").textContent = w("roll-uploaded", {
          fingerprint: answer.fingerprint,
        });
        $("roll-uploaded").hidden = false;
        uploadRoll.remove(); // the roll is uploaded once
        say("");
      }),
    );
  }
  const form = $("replace-form");
  if (form) {
    $("csv-file").addEventListener("change", chooseCsv);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      step(form.querySelector("button[type=submit]"), replace);
    });
  }
  const uploadRevocation = $("upload-revocation");
  if (uploadRevocation) {
    uploadRevocation.addEventListener("click", () =>
      step(uploadRevocation, async () => {
        say(w("uploading"));
        await upload("/revocations", replaced.revocation);
        $("revocation-uploaded").hidden = false;
        say("");
      }),
    );
  }
  window.addEventListener("pagehide", () => urls.forEach((url) => URL.revokeObjectURL(url)));
  const uploadForm = $("upload-form");
  if (uploadForm) {
    uploadForm.addEventListener("submit", (event) => {
      event.preventDefault();
      step(uploadForm.querySelector("button[type=submit]"), uploadKept);
    });
  }
  app.dataset.ready = ""; // every button works from now on
}

start();
