// What the vote page needs of the protocol: tokens, credentials and the roll line (as in
// v1), the manifest's signature, and protocol v2's ballot and receipt (ballot.js,
// payload.js, group.js, receipt.js). Every byte here must match the Python reference in
// inmc_vote/domain/protocol/ (credentials.py, manifest.py, encoding.py, and v2's group.py,
// payload.py, ballot.py, board.py); protocol v2 is docs/protocol.md.

import {
  asBytes,
  b64url,
  concat,
  fromB64url,
  fromHex,
  hex,
  sha256,
  u32,
  u64,
  utf8,
} from "./bytes.js";
import { buildBallot, checkBallot } from "./ballot.js";
import { canonicalJson, labelled } from "./encoding.js";
import * as group from "./group.js";
import { MAX_RANKS, PayloadError, payloadOf } from "./payload.js";
import * as readable from "./readable.js";
import { checkReceipt, receiptFile } from "./receipt.js";
import { SEED_BYTES, credentialFromSeed, ed25519Verify } from "./signing.js";

export { b64url, fromB64url, hex, fromHex, sha256, u32, u64, utf8, concat };
export { canonicalJson, labelled, credentialFromSeed, SEED_BYTES };
export { MAX_RANKS, PayloadError, checkReceipt, receiptFile };

// --- Tokens (credentials.py) ------------------------------------------------------------

export const CHECK_CHARS = 4; // 20 bits: a typo slips through about once in a million
export const TOKEN_CHARS = readable.encode(new Uint8Array(SEED_BYTES)).length + CHECK_CHARS; // 56

/** A token that cannot be read; `kind` is "format", "typo" or "other-ballot". */
export class TokenError extends Error {
  /**
   * @param {"format"|"typo"|"other-ballot"} kind
   * @param {string} message  a sentence for the voter (in English, as Python says it)
   * @param {object} facts  what the sentence names, for a page to say it in its language
   */
  constructor(kind, message, facts = {}) {
    super(message);
    this.name = "TokenError";
    this.kind = kind;
    this.facts = facts;
  }
}

// The characters Python's str.strip() removes (str.isspace()).
const PY_WHITESPACE =
  "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" +
  "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

function pyStrip(text) {
  let start = 0;
  let end = text.length;
  while (start < end && PY_WHITESPACE.includes(text[start])) start++;
  while (end > start && PY_WHITESPACE.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

/** The token's checksum: the first 4 readable characters of its hash. */
async function tokenCheck(ballotId, seed) {
  const digest = await sha256(
    labelled("inmc-vote/token-check/v1"),
    utf8(ballotId),
    Uint8Array.of(0),
    seed,
  );
  return readable.encode(digest).slice(0, CHECK_CHARS);
}

/**
 * Read a token as a person may have typed it, like credentials.parse_token:
 * `<ballot>.` then 52 characters of seed and 4 of checksum, in Crockford base32
 * (any case, spaces and hyphens ignored, O read as 0, I and L as 1).
 * @param {string} text
 * @param {string} [ballotId]  when given, the token must be for this ballot
 * @returns {Promise<{ballotId: string, seed: Uint8Array}>}
 * @throws {TokenError} kind "format", "typo" or "other-ballot", with a sentence for the voter
 */
export async function parseToken(text, ballotId) {
  const cleaned = pyStrip(text);
  const dot = cleaned.indexOf(".");
  if (dot < 0) {
    throw new TokenError(
      "format",
      "This is not a voting token: it should start with the ballot's id, a dot, " +
        "then groups of 4 letters and digits.",
    );
  }
  const tokenBallot = pyStrip(cleaned.slice(0, dot)).toLowerCase();
  const chars = [...readable.normalise(cleaned.slice(dot + 1))]; // code points, as Python counts
  if (chars.length !== TOKEN_CHARS) {
    throw new TokenError(
      "format",
      `A token has ${TOKEN_CHARS} letters and digits after the dot; this one has ` +
        `${chars.length}. Check that you copied all of it.`,
      { expected: TOKEN_CHARS, count: chars.length },
    );
  }
  let seed;
  try {
    seed = readable.decode(chars.slice(0, -CHECK_CHARS).join(""), SEED_BYTES);
  } catch {
    throw new TokenError(
      "typo",
      "The token has a character that cannot be right: check what you typed against " +
        "your letter.",
    );
  }
  // As in Python, the checksum is compared as typed (after upper-casing), without
  // reading O as 0 or I/L as 1.
  if ((await tokenCheck(tokenBallot, seed)) !== chars.slice(-CHECK_CHARS).join("")) {
    throw new TokenError(
      "typo",
      "The token's checksum does not match: a character was mistyped. Check what you " +
        "typed against your letter.",
    );
  }
  if (ballotId !== undefined && ballotId !== null && tokenBallot !== ballotId) {
    throw new TokenError(
      "other-ballot",
      `This token is for another ballot (${tokenBallot}), not this one (${ballotId}).`,
      { token: tokenBallot, page: ballotId },
    );
  }
  return { ballotId: tokenBallot, seed };
}

// --- Credentials and the roll -------------------------------------------------------------

/**
 * A credential's short readable name (80 bits), e.g. "ABCD-EFGH-JKMN-PQRS".
 * @param {Uint8Array} publicRaw
 * @returns {Promise<string>}
 */
export async function fingerprint(publicRaw) {
  const digest = await sha256(labelled("inmc-vote/credential-fingerprint/v1"), publicRaw);
  return readable.grouped(readable.encode(digest.subarray(0, 10)));
}

/**
 * A hash's first 80 bits in 4 groups of 4, for people to compare aloud
 * (manifest.short_fingerprint).
 * @param {Uint8Array} hashBytes
 * @returns {string}
 */
export function shortFingerprint(hashBytes) {
  return readable.grouped(readable.encode(asBytes(hashBytes, "hash").subarray(0, 10)));
}

/**
 * True when a roll line {pk, sig} (base64url) carries the registrar's signature of
 * "inmc-vote/credential/v1" 0 ballot_id 0 credential_pk.
 * @param {Uint8Array} registrarPkRaw
 * @param {string} ballotId
 * @param {{pk: string, sig: string}} line
 * @returns {Promise<boolean>}
 */
export async function verifyRollLine(registrarPkRaw, ballotId, { pk, sig }) {
  let pkRaw;
  let sigRaw;
  try {
    pkRaw = fromB64url(pk);
    sigRaw = fromB64url(sig);
  } catch {
    return false;
  }
  const message = concat(
    labelled("inmc-vote/credential/v1"),
    utf8(ballotId),
    Uint8Array.of(0),
    pkRaw,
  );
  return ed25519Verify(asBytes(registrarPkRaw, "registrar key"), sigRaw, message);
}

// --- The ballot (protocol v2, protocol.md, "The vote payload" and protocol.md, "The ballot") ------------------------------------------------------

/**
 * The v2 ballot of a vote for a manifest (protocol.md, "The ballot"), with its tracker, ready to POST. The
 * manifest gives the election key (`keys.election`, base64url Y, checked as a point of
 * the group, protocol.md, "The group") and the candidates whose 1-based places the payload names (protocol.md, "The vote payload").
 * The ballot is checked (proof and signature) before it is returned.
 * @param {object} vote  e.g. {v: 1, choice: "c1"}
 * @param {Uint8Array} seed  the token's seed
 * @param {object} manifest  the parsed manifest v2
 * @param {Uint8Array} manifestHash  SHA-256 of the manifest bytes as received
 * @returns {Promise<{ballot: object, tracker: Uint8Array}>}
 */
export async function ballotForVote(vote, seed, manifest, manifestHash) {
  const electionKey = fromB64url(manifest.keys.election);
  const payload = payloadOf(vote, manifest.candidates.map((c) => c.id));
  const { ballot, tracker } = await buildBallot({ manifestHash, electionKey, seed, payload });
  if (!(await checkBallot(ballot, manifestHash, electionKey))) {
    throw new Error("the ballot built in this browser does not check"); // never seen
  }
  return { ballot, tracker };
}

// --- The manifest's signature (manifest.py) -----------------------------------------------

/**
 * Check the authority's signature over a manifest hash (the X-Authority-Signature header):
 * "inmc-vote/manifest-signature/v1" 0 manifest_hash.
 * @param {Uint8Array} authorityPkRaw  the manifest's keys.authority, decoded
 * @param {Uint8Array} manifestHash  SHA-256 of the manifest bytes as received
 * @param {string} signatureB64  the header's value (base64url)
 * @returns {Promise<boolean>}
 */
export async function verifyManifestSignature(authorityPkRaw, manifestHash, signatureB64) {
  let signature;
  try {
    signature = fromB64url(signatureB64 ?? "");
  } catch {
    return false;
  }
  const message = concat(
    labelled("inmc-vote/manifest-signature/v1"),
    asBytes(manifestHash, "manifest hash"),
  );
  return ed25519Verify(asBytes(authorityPkRaw, "authority key"), signature, message);
}

// --- What the browser must support ----------------------------------------------------------

/**
 * Check that this browser does what the ballot needs (WebCrypto's Ed25519 and SHA-256,
 * BigInt for the group), by doing it once.
 * @returns {Promise<string|null>}  null when all is there, else a sentence for the voter
 */
export async function supportCheck() {
  if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) {
    return (
      "This page cannot use your browser's cryptography: open it with its https:// " +
      "address, in an up-to-date browser."
    );
  }
  const probes = {
    Ed25519: async () => {
      const { privateKey, publicRaw } = await credentialFromSeed(new Uint8Array(32).fill(7));
      const message = Uint8Array.of(1, 2, 3);
      const sig = new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, message));
      return ed25519Verify(publicRaw, sig, message);
    },
    "SHA-256": async () => (await sha256(Uint8Array.of(1))).length === 32,
    // BigInt and the vendored group code (protocol.md, "The group"): 1·G is G, and G passes the point check.
    BigInt: async () => group.isPoint(group.baseMul(1n)) && group.baseMul(1n).length === 32,
  };
  const missing = [];
  for (const [name, probe] of Object.entries(probes)) {
    let ok = false;
    try {
      ok = await probe();
    } catch {
      ok = false;
    }
    if (!ok) missing.push(name);
  }
  if (missing.length === 0) return null;
  return (
    `Your browser lacks the cryptography needed to vote (${missing.join(", ")}): ` +
    "please update it, or use another up-to-date browser."
  );
}
