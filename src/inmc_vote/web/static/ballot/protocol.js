// Protocol v1 as the voter's browser needs it: tokens, credentials, the roll line,
// the ballot (padded vote, HPKE-encrypted, signed) and the receipt. Every byte here
// must match the Python reference in inmc_vote/domain/protocol/ (credentials.py,
// vote.py, board.py, manifest.py, encoding.py); the messages are listed in
// docs/design.md, "Protocol v1".

import {
  asBytes,
  b64url,
  concat,
  fromB64url,
  fromHex,
  hex,
  isWellFormed,
  sha256,
  u64,
  utf8,
} from "./bytes.js";
import * as hpke from "./hpke.js";
import * as readable from "./readable.js";

export { b64url, fromB64url, hex, fromHex, sha256, u64, utf8, concat };

// --- Labels and canonical JSON --------------------------------------------------------

/**
 * A message's domain label: its name and a zero byte.
 * @param {string} label
 * @returns {Uint8Array}
 */
export function labelled(label) {
  return concat(utf8(label), Uint8Array.of(0));
}

/**
 * Canonical JSON of a vote, as UTF-8 bytes: keys sorted (by code point, as Python
 * sorts), no whitespace, non-ASCII characters as themselves. Only integers, strings,
 * booleans, arrays and plain objects are allowed; anything else throws a TypeError.
 * @param {unknown} value
 * @returns {Uint8Array}
 */
export function canonicalJson(value) {
  return utf8(canonicalText(value));
}

function canonicalText(value) {
  switch (typeof value) {
    case "string":
      return jsonString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isSafeInteger(value)) {
        throw new TypeError("canonical JSON has no floats: write fractions as strings");
      }
      return String(value);
    case "bigint":
      return value.toString();
  }
  if (Array.isArray(value)) {
    return `[${Array.from(value, canonicalText).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(value).sort(compareCodePoints);
      return `{${keys.map((k) => `${jsonString(k)}:${canonicalText(value[k])}`).join(",")}}`;
    }
  }
  throw new TypeError(
    "canonical JSON holds only integers, strings, booleans, arrays and plain objects",
  );
}

// JSON.stringify escapes a string exactly as Python's json.dumps(ensure_ascii=False)
// does: \" \\ \b \f \n \r \t, other control characters as \u00xx (lower-case hex),
// everything else as itself. Only lone surrogates differ, and are refused.
function jsonString(text) {
  if (!isWellFormed(text)) throw new TypeError("a string has a lone surrogate");
  return JSON.stringify(text);
}

// Python compares strings by code point; JavaScript's default sort compares UTF-16
// code units, which orders characters beyond U+FFFF differently.
function compareCodePoints(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

// --- Tokens (credentials.py) ------------------------------------------------------------

export const SEED_BYTES = 32;
export const CHECK_CHARS = 4; // 20 bits: a typo slips through about once in a million
export const TOKEN_CHARS = readable.encode(new Uint8Array(SEED_BYTES)).length + CHECK_CHARS; // 56

/** A token that cannot be read; `kind` is "format", "typo" or "other-ballot". */
export class TokenError extends Error {
  /**
   * @param {"format"|"typo"|"other-ballot"} kind
   * @param {string} message  a sentence for the voter
   */
  constructor(kind, message) {
    super(message);
    this.name = "TokenError";
    this.kind = kind;
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
    );
  }
  return { ballotId: tokenBallot, seed };
}

// --- Credentials and the roll -------------------------------------------------------------

/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): prefix ‖ 32 bytes. */
const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/**
 * The credential of a token's seed: its Ed25519 signing key and raw public key.
 * @param {Uint8Array} seed  32 bytes
 * @returns {Promise<{privateKey: CryptoKey, publicRaw: Uint8Array}>}
 */
export async function credentialFromSeed(seed) {
  if (asBytes(seed, "seed").length !== SEED_BYTES) throw new Error("a seed has 32 bytes");
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    concat(ED25519_PKCS8_PREFIX, seed),
    { name: "Ed25519" },
    true, // extractable, so that its public half can be read from the JWK
    ["sign"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  return { privateKey, publicRaw: fromB64url(jwk.x) };
}

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

/** Ed25519 verification like keys.verify: false (never a throw) for anything invalid. */
async function ed25519Verify(publicRaw, signature, message) {
  if (publicRaw.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey("raw", publicRaw, { name: "Ed25519" }, false, [
      "verify",
    ]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  } catch {
    return false;
  }
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

// --- The ballot (vote.py) -----------------------------------------------------------------

/**
 * The vote's canonical JSON followed by zero bytes up to `voteSize`.
 * @param {object} vote  e.g. {v: 1, choice: "c1"}
 * @param {number} voteSize  the manifest's vote_size
 * @returns {Uint8Array}
 */
export function padVote(vote, voteSize) {
  const data = canonicalJson(vote);
  if (data.length > voteSize) {
    throw new Error(`the vote takes ${data.length} bytes; this ballot allows ${voteSize}`);
  }
  const out = new Uint8Array(voteSize);
  out.set(data);
  return out;
}

/**
 * The ballot to send, byte for byte as vote.make_ballot: the padded vote sealed with
 * HPKE to the manifest's tally key (info = "inmc-vote/vote/v1" 0 manifest_hash
 * credential_pk) and signed by the credential over
 * "inmc-vote/ballot/v1" 0 manifest_hash credential_pk SHA256(ciphertext).
 * @param {object} vote
 * @param {Uint8Array} seed  the token's seed
 * @param {object} manifest  the parsed manifest (keys.tally, vote_size are used)
 * @param {Uint8Array} manifestHash  SHA-256 of the manifest bytes as received
 * @returns {Promise<{manifest_hash: string, credential: string, ciphertext: string,
 *   signature: string}>}  base64url strings
 */
export async function buildBallot(vote, seed, manifest, manifestHash) {
  if (asBytes(manifestHash, "manifest hash").length !== 32) {
    throw new Error("a manifest hash has 32 bytes");
  }
  const voteSize = manifest.vote_size;
  if (!Number.isSafeInteger(voteSize) || voteSize <= 0) throw new Error("bad vote_size");
  const tallyPk = fromB64url(manifest.keys.tally);
  const credential = await credentialFromSeed(seed);

  const info = concat(labelled("inmc-vote/vote/v1"), manifestHash, credential.publicRaw);
  const ciphertext = await hpke.seal(tallyPk, info, padVote(vote, voteSize));

  const message = concat(
    labelled("inmc-vote/ballot/v1"),
    manifestHash,
    credential.publicRaw,
    await sha256(ciphertext),
  );
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "Ed25519" }, credential.privateKey, message),
  );
  return {
    manifest_hash: b64url(manifestHash),
    credential: b64url(credential.publicRaw),
    ciphertext: b64url(ciphertext),
    signature: b64url(signature),
  };
}

// --- The receipt (board.py) ---------------------------------------------------------------

/**
 * True when the authority signed the receipt:
 * "inmc-vote/receipt/v1" 0 manifest_hash u64(seq) hash.
 * @param {Uint8Array} authorityPkRaw
 * @param {Uint8Array} manifestHash
 * @param {{ballot: string, round: number, seq: number, hash: string,
 *   received_at: string, signature: string}} receipt  hash and signature in base64url
 * @returns {Promise<boolean>}
 */
export async function verifyReceipt(authorityPkRaw, manifestHash, receipt) {
  let tracker;
  let signature;
  try {
    tracker = fromB64url(receipt.hash);
    signature = fromB64url(receipt.signature);
  } catch {
    return false;
  }
  if (tracker.length !== 32 || !Number.isSafeInteger(receipt.seq) || receipt.seq < 0) {
    return false;
  }
  const message = concat(
    labelled("inmc-vote/receipt/v1"),
    asBytes(manifestHash, "manifest hash"),
    u64(receipt.seq),
    tracker,
  );
  return ed25519Verify(asBytes(authorityPkRaw, "authority key"), signature, message);
}

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
 * Check that this browser's WebCrypto does what the ballot needs, by doing it once.
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
    X25519: async () => {
      const pair = await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
      const bits = await crypto.subtle.deriveBits(
        { name: "X25519", public: pair.publicKey },
        pair.privateKey,
        256,
      );
      return bits.byteLength === 32;
    },
    "AES-GCM": async () => {
      const key = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, [
        "encrypt",
      ]);
      const iv = new Uint8Array(12);
      const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new Uint8Array(1));
      return ct.byteLength === 17;
    },
    HMAC: async () => {
      const key = await crypto.subtle.importKey(
        "raw",
        new Uint8Array(32),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      return (await crypto.subtle.sign("HMAC", key, new Uint8Array(1))).byteLength === 32;
    },
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
