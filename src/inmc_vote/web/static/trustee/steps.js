// What a trustee sends at each step, from the ceremony's public state
// (GET /api/v1/ballots/{id}/ceremony), mirroring tools/trustee.py: the state is checked
// against the key file, every certificate and deal the server relays is read as the
// command line reads it, and the same refusals are given in the same words.
// docs/protocol.md, "Trustees".

import { b64url } from "../ballot/bytes.js";
import { canonicalJson } from "../ballot/encoding.js";
import * as group from "../ballot/group.js";
import * as ceremony from "./ceremony.js";

/** Something the trustee must do or know before going on, in words (tools.trustee.TrusteeError). */
export class TrusteeError extends Error {
  constructor(message) {
    super(message);
    this.name = "TrusteeError";
  }
}

function checkState(file, state) {
  if (state.ballot !== file.ballot) {
    throw new TrusteeError(`The server answered for ballot ${state.ballot}, not ${file.ballot}.`);
  }
  if (state.ceremony !== file.ceremony) {
    throw new TrusteeError(
      `This key file is for ceremony ${file.ceremony}, but the ballot's ceremony is now ` +
        `number ${state.ceremony}: the organiser named the trustees again. Ask for your new ` +
        "invitation and join again with a new key file.",
    );
  }
}

/** The state's entry for trustee `index`. */
export function member(state, index) {
  const found = state.trustees.find((m) => m.index === index);
  if (!found) throw new TrusteeError(`The ceremony has no trustee ${index}.`);
  return found;
}

function* every(state, kind, done, then) {
  for (const m of state.trustees) {
    if (m[kind] === null) {
      throw new TrusteeError(
        `Trustee ${m.index} (${m.name}) has not ${done} yet: ${then} once every trustee has ${done}.`,
      );
    }
    yield m;
  }
}

const context = (file) => ({ ballot: file.ballot, ceremony: file.ceremony });

/** Every trustee's certificate, read (tools.trustee.certificates). */
export async function certificates(file, state) {
  checkState(file, state);
  const read = [];
  for (const m of every(state, "certificate", "joined", "deals are made")) {
    read.push(
      await ceremony.readCertificate(m.certificate, {
        ...context(file),
        trustee: m.index,
        name: m.name,
      }),
    );
  }
  return read;
}

/** Every trustee's deal, read (tools.trustee.deals). */
export async function deals(file, state, certs) {
  const read = [];
  for (const m of every(state, "deal", "dealt", "shares are checked")) {
    read.push(
      await ceremony.readDeal(m.deal, {
        ...context(file),
        certificates: certs,
        threshold: state.threshold,
        trustee: m.index,
      }),
    );
  }
  return read;
}

/** Step 1: the certificate, under the name the organiser gave (tools.trustee.certificate_message). */
export async function certificateMessage(file, state) {
  checkState(file, state);
  return ceremony.makeCertificate({
    ...context(file),
    trustee: file.trustee,
    name: member(state, file.trustee).name,
    signingSeed: file.signingSeed,
    encryptionPrivate: file.encryptionPrivate,
    lotRho: file.lotRho,
  });
}

/**
 * Step 2: the deal, and the key file with its polynomial (drawn once, then kept: a
 * retried deal commits to the same one) (tools.trustee.deal_message). `ephemerals` only
 * for tests.
 */
export async function dealMessage(file, state, { ephemerals } = {}) {
  const certs = await certificates(file, state);
  const threshold = state.threshold;
  let polynomial = file.polynomial;
  if (polynomial === null) polynomial = ceremony.randomPolynomial(threshold);
  else if (polynomial.length !== threshold)
    throw new TrusteeError("The key file's polynomial is for another threshold.");
  const message = await ceremony.makeDeal({
    ...context(file),
    trustee: file.trustee,
    certificates: certs,
    threshold,
    signingSeed: file.signingSeed,
    coefficients: polynomial,
    ephemerals,
  });
  return { message, file: { ...file, polynomial } };
}

/**
 * Step 3: open and check this trustee's shares; the key (with its proof) when all are
 * good, else a complaint about the first failing dealer (tools.trustee.check_message).
 * `nonce` only for tests.
 * @returns {Promise<{kind: "key"|"complaint", message: object, file: object, about?: number, reason?: string}>}
 */
export async function checkMessage(file, state, { nonce } = {}) {
  const certs = await certificates(file, state);
  const dealt = await deals(file, state, certs);
  const { message, share } = await ceremony.makeKey({
    ...context(file),
    trustee: file.trustee,
    deals: dealt,
    encryptionPrivate: file.encryptionPrivate,
    signingSeed: file.signingSeed,
    nonce,
  });
  if (message.format === ceremony.COMPLAINT) {
    return { kind: "complaint", message, file, about: message.about, reason: message.reason };
  }
  return { kind: "key", message, file: { ...file, share } };
}

/**
 * Whether the server holds this trustee's `kind` already, as this key file would make it
 * (a retry); TrusteeError when it holds a different one (tools.trustee.already_sent).
 */
export async function alreadySent(file, state, kind) {
  checkState(file, state);
  const held = member(state, file.trustee)[kind];
  if (held === null) return false;
  let same = true;
  if (kind === "certificate") {
    same =
      b64url(canonicalJson(held)) === b64url(canonicalJson(await certificateMessage(file, state)));
  } else if (kind === "deal") {
    const expected = ceremony.commitments(file.polynomial ?? []).map(b64url);
    same = JSON.stringify(held.commitments) === JSON.stringify(expected);
  } else if (kind === "key") {
    same = file.share !== null && held.verification_key === b64url(group.baseMul(file.share));
  }
  if (!same) {
    throw new TrusteeError(
      `The server holds a different ${kind} for trustee ${file.trustee}: it was sent ` +
        "with another key file. Use that key file, or ask the organiser to start over.",
    );
  }
  return true;
}

/** What is sent: the message's canonical JSON (tools.trustee.message_bytes). */
export const messageBytes = (message) => canonicalJson(message);

/**
 * What trustee `index` (or the ceremony) waits for now (tools.trustee.next_step), as a
 * key of the page's words and its values: "complete", "failed", "your-turn" (with the
 * step: join, deal or check) or "waiting" (with the step and the others awaited).
 * @returns {{key: string, step?: string, others?: string}}
 */
export function nextStep(state, index) {
  const me = member(state, index);
  if (state.phase === "complete") return { key: "complete" };
  if (state.phase === "failed") return { key: "failed" };
  const [column, step] = {
    certificates: ["certificate", "join"],
    deals: ["deal", "deal"],
    keys: ["key", "check"],
  }[state.phase];
  if (me[column] === null && (state.phase !== "keys" || me.complaint === null))
    return { key: "your-turn", step };
  const others = state.trustees
    .filter((m) => state.waiting_for.includes(m.index) && m.index !== index)
    .map((m) => `${m.index} (${m.name})`)
    .join(", ");
  return { key: "waiting", step, others };
}
