// The vote payload of protocol v2 and its point: a vote record ({"v": 1, "choice" |
// "ranking" | "approve" | "blank": ...}) as 28 bytes, then embedded into a point of the
// group. Mirrors inmc_vote/domain/protocol/payload.py (docs/protocol.md, "The vote payload").

import { asBytes, concat } from "./bytes.js";
import { isPoint } from "./group.js";

export const PAYLOAD_BYTES = 28;
export const FORMAT = 2;
export const KIND = Object.freeze({ blank: 0, choice: 1, ranking: 2, approval: 3 });
/** A ranking has at most 26 ranks (bytes 2..27); the vote page enforces it (protocol.md, "The vote payload"). */
export const MAX_RANKS = PAYLOAD_BYTES - 2;
/** A choice is one byte: at most 255 candidates (protocol.md, "The vote payload"). */
export const MAX_CHOICE = 255;
/** An approval is a 26-byte bitmap: at most 208 candidates (protocol.md, "The vote payload"). */
export const MAX_APPROVAL = 8 * (PAYLOAD_BYTES - 2);
/** The embedding counter is a u16 (protocol.md, "The vote payload"). */
const MAX_COUNTER = 0xffff;

/** A vote that has no payload: `kind` is "vote", "unknown", "duplicate" or "too-many". */
export class PayloadError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = "PayloadError";
    this.kind = kind;
  }
}

/**
 * The 28-byte payload of a vote record (protocol.md, "The vote payload"). Candidates are named by id; their 1-based
 * index is their place in the manifest's `candidates`.
 * - blank: [2, 0, 0 × 26]
 * - choice: [2, 1, index, 0 × 25]
 * - ranking: [2, 2, indices in rank order, 0, zeros] (no terminator at 26 ranks)
 * - approval: [2, 3, bitmap], index i at byte 2 + (i−1)//8, bit (i−1)%8, LSB first
 * @param {{v: 1, choice?: string, ranking?: string[], approve?: string[], blank?: true}} vote
 * @param {string[]} candidateIds  the manifest's candidates' ids, in manifest order
 * @returns {Uint8Array}  28 bytes
 * @throws {PayloadError}
 */
export function payloadOf(vote, candidateIds) {
  const index = indexer(candidateIds);
  const out = new Uint8Array(PAYLOAD_BYTES);
  out[0] = FORMAT;
  const fields = vote && typeof vote === "object" ? Object.keys(vote).sort().join(",") : "";
  if (vote?.v !== 1) throw new PayloadError("vote", "not a vote record of version 1");
  if (fields === "blank,v" && vote.blank === true) {
    out[1] = KIND.blank;
  } else if (fields === "choice,v") {
    const i = index(vote.choice);
    if (i > MAX_CHOICE) throw new PayloadError("too-many", "a choice names one of 255 candidates");
    out[1] = KIND.choice;
    out[2] = i;
  } else if (fields === "ranking,v" && Array.isArray(vote.ranking)) {
    if (vote.ranking.length === 0) throw new PayloadError("vote", "a ranking names a candidate");
    if (vote.ranking.length > MAX_RANKS) {
      throw new PayloadError("too-many", `a ranking has at most ${MAX_RANKS} ranks`);
    }
    if (new Set(vote.ranking).size !== vote.ranking.length) {
      throw new PayloadError("duplicate", "a ranking names a candidate once");
    }
    out[1] = KIND.ranking;
    vote.ranking.forEach((id, rank) => {
      const i = index(id);
      if (i > MAX_CHOICE) throw new PayloadError("too-many", "a rank names one of 255 candidates");
      out[2 + rank] = i;
    }); // the terminator, when there is room for one, is the zero already there
  } else if (fields === "approve,v" && Array.isArray(vote.approve)) {
    if (vote.approve.length === 0) throw new PayloadError("vote", "an approval names a candidate");
    if (new Set(vote.approve).size !== vote.approve.length) {
      throw new PayloadError("duplicate", "an approval names a candidate once");
    }
    out[1] = KIND.approval;
    for (const id of vote.approve) {
      const i = index(id);
      if (i > MAX_APPROVAL) throw new PayloadError("too-many", "an approval has 208 candidates");
      out[2 + Math.floor((i - 1) / 8)] |= 1 << (i - 1) % 8;
    }
  } else {
    throw new PayloadError("vote", "a vote is a blank, a choice, a ranking or an approval");
  }
  return out;
}

function indexer(candidateIds) {
  if (!Array.isArray(candidateIds)) throw new TypeError("candidateIds must be an array");
  const places = new Map(candidateIds.map((id, i) => [id, i + 1]));
  return (id) => {
    const i = typeof id === "string" ? places.get(id) : undefined;
    if (i === undefined) throw new PayloadError("unknown", `no candidate ${String(id)}`);
    return i;
  };
}

/**
 * Embed a payload into a point (protocol.md, "The vote payload"): for c = 0, 1, 2, ...: E = payload ‖ u16le(c) ‖ 0x00 0x00;
 * the first E that is a point of the group (protocol.md, "The group") is M. About 1 in 16 counters works.
 * @param {Uint8Array} payload  28 bytes
 * @returns {{point: Uint8Array, counter: number}}
 */
export function embed(payload) {
  if (asBytes(payload, "payload").length !== PAYLOAD_BYTES) {
    throw new PayloadError("vote", "a payload is 28 bytes");
  }
  for (let c = 0; c <= MAX_COUNTER; c++) {
    const candidate = concat(payload, Uint8Array.of(c & 0xff, c >> 8, 0, 0));
    if (isPoint(candidate)) return { point: candidate, counter: c };
  }
  throw new PayloadError("vote", "no counter embeds this payload"); // never seen: p ≈ 2^-6000
}

/**
 * The payload of an embedded point (protocol.md, "The vote payload", extraction): M[0:28]; M[30:32] not zero → malformed
 * (null).
 * @param {Uint8Array} m  a point's 32 bytes
 * @returns {Uint8Array|null}
 */
export function extract(m) {
  asBytes(m, "point");
  if (m.length !== 32 || m[30] !== 0 || m[31] !== 0) return null;
  return m.slice(0, PAYLOAD_BYTES);
}
