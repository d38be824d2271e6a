// The receipt of protocol v2: the board entry the server made of our ballot, signed by
// the authority. Mirrors inmc_vote/domain/protocol/board.py (docs/protocol.md,
// protocol.md, "Board, receipts, seal"). The page refuses a receipt that does not name the tracker it computed, whose hash
// does not recompute, or whose signature does not verify.

import { asBytes, concat, equalBytes, fromB64url, sha256, u64, utf8 } from "./bytes.js";
import { labelled } from "./encoding.js";
import { ed25519Verify } from "./signing.js";

const FIELDS = ["ballot", "hash", "prev", "received_at", "round", "seq", "signature", "tracker"];

/**
 * entry.hash = SHA-256(labelled("inmc-vote/v2/entry") ‖ prev ‖ u64(seq) ‖ received_at ‖ 0x00
 * ‖ tracker) (protocol.md, "Board, receipts, seal").
 * @param {Uint8Array} prev
 * @param {number} seq
 * @param {string} receivedAt
 * @param {Uint8Array} tracker
 * @returns {Promise<Uint8Array>}
 */
export async function entryHash(prev, seq, receivedAt, tracker) {
  return sha256(
    labelled("inmc-vote/v2/entry"),
    prev,
    u64(seq),
    utf8(receivedAt),
    Uint8Array.of(0),
    tracker,
  );
}

/**
 * What the authority signs in a receipt (protocol.md, "Board, receipts, seal"): labelled("inmc-vote/v2/receipt") ‖ mh ‖
 * u64(seq) ‖ prev ‖ received_at ‖ 0x00 ‖ tracker.
 * @returns {Uint8Array}
 */
export function receiptMessage(mh, seq, prev, receivedAt, tracker) {
  return concat(
    labelled("inmc-vote/v2/receipt"),
    mh,
    u64(seq),
    prev,
    utf8(receivedAt),
    Uint8Array.of(0),
    tracker,
  );
}

/**
 * Check a receipt against the ballot this page sent (protocol.md, "Board, receipts, seal"). The answer's `reason` says
 * what is wrong: "format" (fields or encodings), "ballot" (another ballot's id), "tracker"
 * (not our ballot's tracker), "hash" (the entry hash does not recompute; the first entry's
 * prev must be the manifest hash), "signature" (not the authority's). Never throws.
 * @param {object} receipt  the JSON the server answered
 * @param {{tracker: Uint8Array, manifestHash: Uint8Array, authorityKey: Uint8Array,
 *   ballotId: string}} ours
 * @returns {Promise<{ok: boolean, reason: string|null}>}
 */
export async function checkReceipt(receipt, { tracker, manifestHash, authorityKey, ballotId }) {
  asBytes(tracker, "tracker");
  let prev;
  let hash;
  let signature;
  let theirs;
  try {
    if (Object.keys(receipt).sort().join(",") !== FIELDS.join(",")) throw new Error("fields");
    for (const n of [receipt.seq, receipt.round]) {
      if (!Number.isSafeInteger(n) || n < 1) throw new Error("seq, round");
    }
    if (typeof receipt.received_at !== "string") throw new Error("received_at");
    theirs = fromB64url(receipt.tracker);
    prev = fromB64url(receipt.prev);
    hash = fromB64url(receipt.hash);
    signature = fromB64url(receipt.signature);
    if (prev.length !== 32 || hash.length !== 32) throw new Error("lengths");
  } catch {
    return { ok: false, reason: "format" };
  }
  if (receipt.ballot !== ballotId) return { ok: false, reason: "ballot" };
  if (!equalBytes(theirs, tracker)) return { ok: false, reason: "tracker" };
  if (receipt.seq === 1 && !equalBytes(prev, manifestHash)) return { ok: false, reason: "hash" };
  let recomputed;
  try {
    recomputed = await entryHash(prev, receipt.seq, receipt.received_at, tracker);
  } catch {
    return { ok: false, reason: "format" }; // e.g. a lone surrogate in received_at
  }
  if (!equalBytes(recomputed, hash)) return { ok: false, reason: "hash" };
  const message = receiptMessage(manifestHash, receipt.seq, prev, receipt.received_at, tracker);
  if (!(await ed25519Verify(authorityKey, signature, message))) {
    return { ok: false, reason: "signature" };
  }
  return { ok: true, reason: null };
}

/**
 * The receipt file the page offers to download (protocol.md, "Board, receipts, seal"): {"receipt": ..., "ballot": ...},
 * what `inmc-vote verify --receipt` reads; the same text as board.ReceiptFile.text()
 * (indented by 2, keys sorted, a final newline).
 * @param {object} receipt
 * @param {object} ballot
 * @returns {string}
 */
export function receiptFile(receipt, ballot) {
  return `${JSON.stringify(sortedKeys({ receipt, ballot }), null, 2)}\n`;
}

function sortedKeys(value) {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value).sort(); // the protocol's keys are ASCII: as Python sorts
  return Object.fromEntries(keys.map((k) => [k, sortedKeys(value[k])]));
}
