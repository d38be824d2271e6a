// What every trustee message shares (docs/protocol.md, "Trustees", "Messages"): its
// Ed25519 signature over labelled("inmc-vote/v2/trustee") ‖ SHA-256(canonical JSON
// without the signature), its hash, the lot chain (protocol.md, "Lot seed"), and
// `Reader`, the checks of untrusted JSON in the very words of Python's
// domain/protocol/trustee_message.py, so that the page refuses a message as the command
// line does. Hashes are the vendored @noble/hashes' SHA-256; signatures WebCrypto's
// Ed25519 (deterministic, RFC 8032), as the vote page signs (../ballot/signing.js).

import { sha256 } from "@noble/hashes/sha2.js";

import { b64url, concat, fromB64url, utf8 } from "../ballot/bytes.js";
import { canonicalJson, labelled } from "../ballot/encoding.js";
import * as group from "../ballot/group.js";
import { credentialFromSeed, ed25519Sign, ed25519Verify } from "../ballot/signing.js";

export const SIGNATURE_LABEL = "inmc-vote/v2/trustee";
const LOT_CHAIN_LENGTH = 256;
const LOT_CHAIN = labelled("inmc-vote/v2/lot-chain");

/** SHA-256 of the concatenated parts (noble-hashes, synchronous). */
export const hash = (...parts) => sha256(concat(...parts));

function body(message) {
  const out = {};
  for (const [k, v] of Object.entries(message)) if (k !== "signature") out[k] = v;
  return out;
}

/** protocol.md, "Trustees", "Messages": the bytes a trustee signs. */
function signedBytes(message) {
  return concat(labelled(SIGNATURE_LABEL), hash(canonicalJson(body(message))));
}

/**
 * The message with its `signature` (protocol.md, "Trustees", "Messages"; Python's
 * trustee_message.sign).
 * @param {object} message
 * @param {Uint8Array} signingSeed
 * @returns {Promise<object>}
 */
export async function sign(message, signingSeed) {
  const { privateKey } = await credentialFromSeed(signingSeed);
  const signature = await ed25519Sign(privateKey, signedBytes(message));
  return { ...body(message), signature: b64url(signature) };
}

/** The Ed25519 public key of a signing seed (RFC 8032 §5.1.5). */
export async function signingPublic(signingSeed) {
  return (await credentialFromSeed(signingSeed)).publicRaw;
}

/** message_hash: SHA-256 of the whole message's canonical JSON (protocol.md, "Trustees"). */
export function messageHash(message) {
  return hash(canonicalJson(message));
}

/** chain^times(x), chain(x) = SHA-256(labelled("inmc-vote/v2/lot-chain") ‖ x) (protocol.md, "Lot seed"). */
function lotChain(x, times) {
  let value = x;
  for (let i = 0; i < times; i++) value = hash(LOT_CHAIN, value);
  return value;
}

/** chain^256(ρ): the certificate's lot commitment (protocol.md, "Lot seed"). */
export function lotCommitment(rho) {
  if (rho.length !== 32) throw new Error("a lot secret is 32 bytes");
  return lotChain(rho, LOT_CHAIN_LENGTH);
}

/** chain^(256−r)(ρ): the reveal a decryption of round r carries (protocol.md, "Lot seed"). */
export function lotReveal(rho, round) {
  if (!Number.isInteger(round) || round < 1 || round > LOT_CHAIN_LENGTH) {
    throw new Error(`a lot serves rounds 1 to ${LOT_CHAIN_LENGTH}`);
  }
  return lotChain(rho, LOT_CHAIN_LENGTH - round);
}

/** `data` as unpadded base64url, the canonical spelling only (encoding.from_b64url). */
export function strictB64url(text) {
  const data = fromB64url(text);
  if (b64url(data) !== text) throw new Error("expected unpadded base64url");
  return data;
}

// The characters Python's str.strip() removes, for the "text" check.
const PY_SPACE =
  /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

const isIndex = (v) => typeof v === "number" && Number.isInteger(v);

/**
 * The checks every reader of a trustee message makes on untrusted JSON, in the words of
 * trustee_message.Reader; `fail(check)` throws the reader's own error.
 */
export class Reader {
  /** @param {(check: string) => never} fail */
  constructor(fail) {
    this.fail = fail;
  }

  fields(obj, form, fields) {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      this.fail("it is not a JSON object");
    }
    const keys = Object.keys(obj);
    const missing = [...fields].filter((f) => !keys.includes(f)).sort();
    const extra = keys.filter((k) => !fields.has(k)).sort();
    if (missing.length) this.fail(`it lacks the field(s) ${missing.join(", ")}`);
    if (extra.length) this.fail(`it has unknown field(s) ${extra.join(", ")}`);
    if (obj.format !== form) this.fail(`its format is not "${form}"`);
    return obj;
  }

  index(value, n, words) {
    if (!isIndex(value) || value < 1 || value > n) {
      this.fail(`${words} is not a trustee index from 1 to ${n}`);
    }
    return value;
  }

  raw(value, size, words) {
    let data;
    try {
      data = strictB64url(value);
    } catch {
      this.fail(`${words} is not base64url`);
    }
    if (data.length !== size) this.fail(`${words} is not ${size} bytes`);
    return data;
  }

  point(value, words) {
    const data = this.raw(value, group.POINT_BYTES, words);
    if (!group.isPoint(data)) this.fail(`${words} is not a point of the group`);
    return data;
  }

  scalar(value, words) {
    const data = this.raw(value, group.SCALAR_BYTES, words);
    try {
      group.scalar(data);
    } catch {
      this.fail(`${words} is not a scalar below L`);
    }
    return data;
  }

  text(value, limit, words) {
    if (typeof value !== "string" || PY_SPACE.test(value) || [...value].length > limit) {
      this.fail(`${words} is not a text of 1 to ${limit} characters`);
    }
    return value;
  }

  async signedBy(message, signingKey, words) {
    const signature = this.raw(message.signature, 64, "the signature");
    let signed;
    try {
      signed = signedBytes(message);
    } catch {
      this.fail("it holds a number that is not an integer");
    }
    if (!(await ed25519Verify(signingKey, signature, signed))) {
      this.fail(`the signature is not ${words}`);
    }
  }
}

export { isIndex, utf8 };
