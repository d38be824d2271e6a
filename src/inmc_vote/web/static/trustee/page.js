// The trustee's page (/ballots/<id>/trustee#invitation=…): shows where the key ceremony
// stands and the trustee's next step in words (steps.nextStep, as `inmc-vote trustee
// status` says it), then does that step in this browser: join (make the key file, send
// the certificate), deal, check (key or complaint), and at the tally the decryption
// share (docs/protocol.md, "Trustees" and "Decryption").
//
// The secrets never leave the trustee's machine: the page gives the key file as a
// download (exactly the command line's format, keyfile.js), asks for it again at each
// later step, and sends only signed public messages. As the command line does, a key
// file that changed is saved before what depends on it is sent. The invitation is read
// from the URL fragment, which the browser never sends to the server.
// Every sentence shown comes from the page (#trustee-words, translated on the server).

import { pageWords, sentence } from "../ballot/words.js";

const $ = (id) => document.getElementById(id);
const app = $("trustee-app");
const ballotId = app.dataset.ballot;
const server = app.dataset.server;
const api = `/api/v1/ballots/${encodeURIComponent(ballotId)}`;

const words = pageWords("trustee-words");

/** A sentence of the page, with {name} placeholders filled. */
const w = (key, vars = {}) => sentence(words, key, vars);

/** @type {{steps: any, keyfile: any, decryption: any, shuffle: any, bytes: any}} */
const M = {};
const view = { state: null, invitation: null, file: null, pending: null, busy: false };

function say(text) {
  $("trustee-status").textContent = text;
}

function problem(text) {
  const box = $("trustee-problem");
  box.replaceChildren();
  if (text) {
    const p = document.createElement("p");
    p.className = "alert";
    p.textContent = text;
    box.append(p);
  }
}

async function getJson(path) {
  const answer = await fetch(api + path, { headers: { Accept: "application/json" } });
  if (!answer.ok) return { status: answer.status, value: null };
  return { status: answer.status, value: await answer.json() };
}

async function getBytes(path) {
  const answer = await fetch(api + path);
  if (!answer.ok) throw new Error(w("refused", { detail: await detail(answer) }));
  return new Uint8Array(await answer.arrayBuffer());
}

async function detail(answer) {
  try {
    const body = await answer.json();
    if (typeof body?.detail === "string") return body.detail;
  } catch {
    // not JSON: the status says enough
  }
  return `${answer.status} ${answer.statusText}`;
}

/** POST one message's exact bytes with the invitation as bearer secret (trustee_client.post_bytes). */
async function post(path, body, invitation) {
  const answer = await fetch(api + path, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${invitation}`,
      "Content-Type": "application/json",
      Accept: "application/json",
    },
    body,
  });
  if (!answer.ok) throw new Error(w("refused", { detail: await detail(answer) }));
  return answer.json();
}

// --- the ceremony's state ---------------------------------------------------------------

async function refresh() {
  const { status, value } = await getJson("/ceremony");
  view.state = status === 200 ? value : null;
  render();
}

function render() {
  const state = view.state;
  const tbody = $("ceremony-table").querySelector("tbody");
  tbody.replaceChildren();
  if (!state) {
    $("ceremony-summary").textContent = w("no-ceremony");
    $("next-step").textContent = "";
    return;
  }
  $("ceremony-summary").textContent =
    `${w("summary", { ceremony: state.ceremony, t: state.threshold, n: state.size })} ${w(`phase-${state.phase}`)}`;
  const me = myIndex();
  for (const m of state.trustees) {
    const row = document.createElement("tr");
    const who = document.createElement("td");
    who.textContent = `${m.index}. ${m.name}${m.index === me ? ` ${w("you")}` : ""}`;
    const sent = document.createElement("td");
    const kinds = ["certificate", "deal", "key", "complaint"].filter((k) => m[k] !== null);
    sent.textContent = kinds.length
      ? kinds.map((k) => w(`sent-${k}`)).join(", ")
      : w("sent-nothing");
    row.append(who, sent);
    tbody.append(row);
  }
  decide();
}

function myIndex() {
  if (view.file && view.file.ceremony === view.state?.ceremony) return view.file.trustee;
  if (view.invitation && view.invitation.ceremony === view.state?.ceremony)
    return view.invitation.index;
  return view.file?.trustee ?? view.invitation?.index ?? null;
}

/** Show the next step in words, and the one action the trustee can take now. */
function decide() {
  $("step-join").hidden = true;
  $("step-act").hidden = true;
  if (view.pending) return; // a key file to save, then a message to send
  const state = view.state;
  const index = myIndex();
  if (index === null) {
    $("next-step").textContent = w("next-open-file");
    return;
  }
  let next;
  try {
    next = M.steps.nextStep(state, index);
  } catch (error) {
    $("next-step").textContent = error.message;
    return;
  }
  const text =
    next.key === "your-turn" || next.key === "waiting"
      ? w(`next-${next.key}-${next.step}`, next)
      : w(`next-${next.key}`);
  $("next-step").textContent = text;
  if (next.key === "your-turn") {
    if (next.step === "join" && !view.file) {
      $("step-join").hidden = view.invitation === null;
    } else if (view.file) {
      offer(next.step);
    }
  } else if (next.key === "complete" && view.file) {
    tally().catch((error) => problem(error.message));
  }
}

function offer(step) {
  const join = step === "join"; // a retry: the key file is made, its certificate not in
  $("act-title").textContent = w(join ? "act-join" : `act-${step}-title`);
  $("act-text").textContent = join ? "" : w(`act-${step}-text`);
  $("act").textContent = w(`act-${step}`);
  $("act").dataset.step = step;
  $("step-act").hidden = false;
}

// --- the key file -----------------------------------------------------------------------

let downloadUrl = null;

/** Offer `file` as a download (the command line's bytes) and click it once. */
function download(file) {
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([M.keyfile.dump(file)], { type: "application/json" }));
  const link = $("save-again");
  link.href = downloadUrl;
  link.download = M.keyfile.fileName(file);
  link.click();
}

/** The key file changed: save it, then send (`send` runs when the trustee says it is saved). */
function saveThenSend(file, send) {
  view.pending = { file, send };
  $("step-act").hidden = true;
  $("step-join").hidden = true;
  $("step-save").hidden = false;
  download(file);
  $("send").focus();
  return null;
}

async function openKeyFile(input) {
  const chosen = input.files?.[0];
  if (!chosen) return;
  problem("");
  try {
    const file = M.keyfile.readKeyFile(await chosen.text(), chosen.name);
    if (file.ballot !== ballotId) throw new Error(w("file-other-ballot", { ballot: file.ballot }));
    view.file = file;
    view.pending = null;
    $("step-save").hidden = true;
    $("key-file-name").textContent =
      `${w("file-read", { index: file.trustee, ballot: file.ballot, ceremony: file.ceremony })}` +
      (file.share !== null ? ` ${w("file-has-share")}` : "");
  } catch (error) {
    view.file = null;
    $("key-file-name").textContent = "";
    problem(error.message);
  }
  render();
}

// --- the steps --------------------------------------------------------------------------

async function busy(work) {
  if (view.busy) return;
  view.busy = true;
  problem("");
  say(w("working"));
  for (const button of app.querySelectorAll("button")) button.disabled = true;
  try {
    await work();
  } catch (error) {
    say("");
    problem(error.message);
  } finally {
    for (const button of app.querySelectorAll("button")) button.disabled = false;
    view.busy = false;
  }
}

const messageText = (message) => M.steps.messageBytes(message);

async function join() {
  const state = view.state;
  const file = M.keyfile.newTrusteeFile(server, ballotId, view.invitation);
  const message = await M.steps.certificateMessage(file, state); // this invitation's ceremony is current
  saveThenSend(file, async () => sendCertificate(file, message));
  say("");
}

/** Run a step's work, then show the ceremony as it now stands and say what was done. */
async function finish(work) {
  const done = await work();
  if (done === null) return say(""); // waiting for the key file to be saved
  await refresh();
  say(done);
}

async function sendCertificate(file, message) {
  await post("/ceremony/certificate", messageText(message), file.invitation);
  const name = M.steps.member(view.state, file.trustee).name;
  return w("sent-certificate-done", { index: file.trustee, name });
}

/**
 * Do `step` now; the sentence that says it is done, or null when a key file must be
 * saved first (the send button then finishes the step).
 */
async function act(step) {
  const file = view.file;
  const state = view.state;
  if (step === "join") {
    if (await M.steps.alreadySent(file, state, "certificate")) return w("already-sent");
    return sendCertificate(file, await M.steps.certificateMessage(file, state));
  }
  if (step === "deal") {
    if (file.polynomial !== null && (await M.steps.alreadySent(file, state, "deal")))
      return w("already-sent");
    const { message, file: kept } = await M.steps.dealMessage(file, state);
    const send = async () => {
      await post("/ceremony/deal", messageText(message), kept.invitation);
      return w("sent-deal-done", { n: state.size });
    };
    if (file.polynomial === null) return saveThenSend(kept, send); // the polynomial first
    return send();
  }
  if (step === "check") {
    if (file.share !== null && (await M.steps.alreadySent(file, state, "key")))
      return w("already-sent");
    const checked = await M.steps.checkMessage(file, state);
    if (checked.kind === "complaint") {
      await post("/ceremony/complaint", messageText(checked.message), file.invitation);
      return w("sent-complaint-done", { about: checked.about, reason: checked.reason });
    }
    const send = async () => {
      await post("/ceremony/key", messageText(checked.message), file.invitation);
      return w("sent-key-done", { n: state.size });
    };
    return saveThenSend(checked.file, send); // the share first
  }
  return step === "shuffle" ? shuffleStep() : decrypt();
}

// --- the tally: the decryption share (tools/mixing.py, decrypt_round) ------------------------

function whyNot(mix, index) {
  const round = mix.round;
  if (mix.tallied) return w("why-tallied", { round });
  if (!mix.sealed) return w("why-not-sealed", { round });
  if (mix.input.count === 0) return w("why-empty", { round });
  if (mix.decryptions.some((d) => d.trustee === index)) return w("why-decrypted", { round });
  if (mix.shuffles.length < mix.threshold) {
    return w("why-shuffles", { t: mix.threshold, count: mix.shuffles.length });
  }
  return w("why-other", { round });
}

/** The ballot states in which a round's mix may stand (the round is closed). */
const MIXING = new Set(["closed", "tallied", "published"]);

async function tally() {
  const ballot = await getJson("");
  // before the round closes there is no mix to read: say so without asking for it
  const { status, value: mix } = MIXING.has(ballot.value?.state)
    ? await getJson("/mix")
    : { status: 0 };
  if (status !== 200) {
    $("next-step").textContent += ` ${w("tally-none")}`;
    return;
  }
  // the vote is closed: what matters now is the tally, no longer the ceremony
  const index = view.file.trustee;
  // the decryption once it may start, else a shuffle while one is taken (as the command
  // line's `decrypt` and `shuffle` are allowed)
  const step = mix.next.decrypt.includes(index)
    ? "decrypt"
    : mix.next.shuffle.includes(index)
      ? "shuffle"
      : null;
  if (step === null) {
    $("next-step").textContent = w("tally-waiting", { why: whyNot(mix, index) });
    return;
  }
  $("next-step").textContent = w(`next-tally-${step}`, { round: mix.round });
  $("act-title").textContent = w(`act-${step}-title`);
  $("act-text").textContent = w(`act-${step}-text`, { round: mix.round });
  $("act").textContent = w(`act-${step}`);
  $("act").dataset.step = step;
  $("step-act").hidden = false;
}

/** The round's manifest and its hash, and the list the mix names last, checked (tools/mixing._turn). */
async function turn(mix) {
  const round = mix.round;
  const manifestBytes = await getBytes(`/manifest?round=${round}`);
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  const manifestHash = new Uint8Array(await crypto.subtle.digest("SHA-256", manifestBytes));
  let cts;
  if (mix.shuffles.length) {
    const last = mix.shuffles[mix.shuffles.length - 1].index;
    const shuffle = JSON.parse(
      new TextDecoder().decode(await getBytes(`/mix/shuffles/${last}?round=${round}`)),
    );
    cts = shuffle.output.map(M.decryption.readCiphertext);
  } else {
    cts = M.decryption.readListLines(
      new TextDecoder().decode(await getBytes(`/mix/input?round=${round}`)),
    );
  }
  if (M.bytes.b64url(M.decryption.listHash(cts)) !== mix.last_output)
    throw new Error(w("list-moved"));
  return { manifest, manifestHash, cts };
}

/** The mix's state, once this trustee may `what` ("shuffle" or "decrypt") now. */
async function mixFor(what) {
  const file = view.file;
  if (file.share === null) throw new Error(w("no-share"));
  const { status, value: mix } = await getJson("/mix");
  if (status !== 200) throw new Error(w("tally-none"));
  if (!mix.next[what].includes(file.trustee)) throw new Error(whyNot(mix, file.trustee));
  return mix;
}

/** Re-encrypt the last list in a secret order, prove it and send it (tools/mixing.shuffle_round). */
async function shuffleStep() {
  const file = view.file;
  const mix = await mixFor("shuffle");
  const { manifest, manifestHash, cts } = await turn(mix);
  const message = await M.shuffle.makeShuffle({
    ballot: mix.ballot,
    round: mix.round,
    trustee: file.trustee,
    index: mix.next.index,
    manifestHash,
    electionKey: M.bytes.fromB64url(manifest.keys.election),
    ciphertexts: cts,
    signingSeed: file.signingSeed,
  });
  await post("/mix/shuffles", messageText(message), file.invitation);
  return w("sent-shuffle-done", { round: mix.round });
}

/** Decrypt the last shuffle's output and send the share (tools/mixing.decrypt_round). */
async function decrypt() {
  const file = view.file;
  const mix = await mixFor("decrypt");
  const round = mix.round;
  const { manifest, manifestHash, cts } = await turn(mix);
  const me = manifest.trustees.members.find((m) => m.index === file.trustee);
  const message = await M.decryption.makeDecryption({
    ballot: mix.ballot,
    round,
    trustee: file.trustee,
    manifestHash,
    share: file.share,
    verificationKey: M.bytes.fromB64url(me.verification_key),
    ciphertexts: cts,
    lotRho: file.lotRho,
    signingSeed: file.signingSeed,
  });
  await post("/decryptions", messageText(message), file.invitation);
  return w("sent-decryption-done", { round });
}

// --- start --------------------------------------------------------------------------------

async function start() {
  app.hidden = false;
  if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) {
    problem(w("unsupported"));
    return;
  }
  try {
    M.steps = await import("./steps.js");
    M.keyfile = await import("./keyfile.js");
    M.decryption = await import("./decryption.js");
    M.shuffle = await import("./shuffle.js");
    M.bytes = await import("../ballot/bytes.js");
  } catch {
    problem(w("unsupported"));
    return;
  }
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has("invitation")) {
    view.invitation = M.keyfile.readInvitation(fragment.get("invitation"));
    if (view.invitation === null) problem(w("invitation-bad"));
  }
  $("make-key-file").addEventListener("click", () => busy(join));
  $("act").addEventListener("click", () => busy(() => finish(() => act($("act").dataset.step))));
  $("send").addEventListener("click", () =>
    busy(() =>
      finish(async () => {
        const { file, send } = view.pending;
        const done = await send();
        view.pending = null;
        view.file = file;
        $("step-save").hidden = true;
        return done;
      }),
    ),
  );
  $("key-file").addEventListener("change", (event) => openKeyFile(event.target));
  // switching the language keeps the invitation, which only the fragment holds
  for (const link of document.querySelectorAll("nav.languages a")) {
    link.addEventListener("click", () => {
      if (location.hash) link.hash = location.hash;
    });
  }
  say(w("loading"));
  try {
    await refresh();
    say("");
  } catch {
    problem(w("network"));
  }
}

start();
