// HPKE base mode for the sealed shares of the key ceremony (docs/protocol.md, "Trustees",
// step 2): RFC 9180 with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-128-GCM, the
// suite `ceremony.SUITE` names in Python (`cryptography`'s hpke.Suite, single-shot:
// ciphertext = enc ‖ AEAD output, sequence number 0).
//
// Nothing is computed by hand: X25519 is the vendored, audited @noble/curves' `x25519`
// (RFC 7748, which refuses an all-zero shared secret as RFC 9180 §7.1.4 asks), HKDF and
// HMAC-SHA256 are the browser's WebCrypto (RFC 5869), AES-128-GCM is WebCrypto's. This
// module only lays out the bytes RFC 9180 names.

import { x25519 } from "@noble/curves/ed25519.js";

import { asBytes, concat, i2osp, utf8 } from "../ballot/bytes.js";

/** RFC 9180 §7.1: DHKEM(X25519, HKDF-SHA256); §7.2 HKDF-SHA256; §7.3 AES-128-GCM. */
const KEM_ID = 0x0020;
const KDF_ID = 0x0001;
const AEAD_ID = 0x0001;
const N_SECRET = 32; // Nsecret of the KEM (§7.1)
const N_K = 16; // Nk of AES-128-GCM (§7.3)
const N_N = 12; // Nn of AES-128-GCM (§7.3)
const N_ENC = 32; // Nenc of DHKEM(X25519) (§7.1)
const N_TAG = 16; // Nt of AES-128-GCM (§7.3)
const MODE_BASE = 0x00; // §5, Table 1

const VERSION = utf8("HPKE-v1");
/** §4.1: suite_id = "KEM" ‖ I2OSP(kem_id, 2) for the KEM's own derivations. */
const KEM_SUITE = concat(utf8("KEM"), i2osp(KEM_ID, 2));
/** §5.1: suite_id = "HPKE" ‖ I2OSP(kem_id, 2) ‖ I2OSP(kdf_id, 2) ‖ I2OSP(aead_id, 2). */
const HPKE_SUITE = concat(utf8("HPKE"), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(AEAD_ID, 2));

/** An HPKE failure (a share that does not open): never says more than that. */
export class HpkeError extends Error {
  constructor(message) {
    super(message);
    this.name = "HpkeError";
  }
}

/** RFC 9180 §4: the labelled IKM, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm. */
function labeledIkm(suite, label, ikm) {
  return concat(VERSION, suite, utf8(label), ikm);
}

/** RFC 9180 §4: the labelled info, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info. */
function labeledInfo(suite, label, info, length) {
  return concat(i2osp(length, 2), VERSION, suite, utf8(label), info);
}

/**
 * RFC 9180 §4 LabeledExtract(salt, label, ikm) = HKDF-Extract (RFC 5869 §2.2), which is
 * HMAC-SHA256 keyed by the salt. An empty salt is HashLen zero bytes (RFC 5869 §2.2: "if
 * not provided, it is set to a string of HashLen zeros"; RFC 2104 §2 pads any HMAC key
 * with zeros, so both are the same key), as WebCrypto refuses an empty HMAC key.
 */
async function labeledExtract(suite, salt, label, ikm) {
  const key = await crypto.subtle.importKey(
    "raw",
    salt.length === 0 ? new Uint8Array(32) : salt,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, labeledIkm(suite, label, ikm)));
}

/**
 * LabeledExpand(LabeledExtract(salt, extractLabel, ikm), expandLabel, info, L) in one
 * WebCrypto HKDF call (RFC 5869 §2: HKDF = Expand ∘ Extract). Every Expand RFC 9180 makes
 * follows such an Extract: §4.1 ExtractAndExpand, §5.1 the key and the base nonce.
 */
async function extractAndExpand(suite, salt, extractLabel, ikm, expandLabel, info, length) {
  const key = await crypto.subtle.importKey(
    "raw",
    labeledIkm(suite, extractLabel, ikm),
    "HKDF",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt, info: labeledInfo(suite, expandLabel, info, length) },
    key,
    8 * length,
  );
  return new Uint8Array(bits);
}

/** X25519 (RFC 7748 §5) through noble; an all-zero result is refused (RFC 9180 §7.1.4). */
function dh(privateKey, publicKey) {
  try {
    return x25519.getSharedSecret(privateKey, publicKey);
  } catch {
    throw new HpkeError("the X25519 exchange failed (a key of small order)");
  }
}

/**
 * The X25519 public key of a raw 32-byte private key (RFC 7748 §6.1, clamped as RFC 7748
 * says; the same as Python's X25519PrivateKey.from_private_bytes(...).public_key()).
 * @param {Uint8Array} privateKey
 * @returns {Uint8Array}
 */
export function x25519Public(privateKey) {
  if (asBytes(privateKey, "an X25519 private key").length !== 32) {
    throw new HpkeError("an X25519 private key is 32 bytes");
  }
  return x25519.getPublicKey(privateKey);
}

/**
 * RFC 9180 §4.1 DHKEM: shared_secret = ExtractAndExpand(dh, kem_context), with
 * kem_context = enc ‖ pkR.
 */
async function kemSharedSecret(dhValue, enc, pkR) {
  return extractAndExpand(
    KEM_SUITE,
    new Uint8Array(0),
    "eae_prk",
    dhValue,
    "shared_secret",
    concat(enc, pkR),
    N_SECRET,
  );
}

/**
 * RFC 9180 §5.1 KeySchedule in base mode (psk = psk_id = ""): the AEAD key and base nonce,
 * with key_schedule_context = mode ‖ psk_id_hash ‖ info_hash.
 * @returns {Promise<{keyScheduleContext: Uint8Array, key: Uint8Array, baseNonce: Uint8Array}>}
 */
async function keySchedule(sharedSecret, info) {
  const empty = new Uint8Array(0);
  const pskIdHash = await labeledExtract(HPKE_SUITE, empty, "psk_id_hash", empty);
  const infoHash = await labeledExtract(HPKE_SUITE, empty, "info_hash", info);
  const keyScheduleContext = concat(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const derive = (label, length) =>
    extractAndExpand(HPKE_SUITE, sharedSecret, "secret", empty, label, keyScheduleContext, length);
  return {
    keyScheduleContext,
    key: await derive("key", N_K),
    baseNonce: await derive("base_nonce", N_N),
  };
}

/**
 * RFC 9180 §5.1.1 SetupBaseS then §5.2 Seal with sequence number 0 (nonce = base_nonce).
 * `ephemeral` (skE) only for tests against fixed vectors; else fresh random bytes
 * (§7.1.3's GenerateKeyPair for X25519 is 32 random bytes).
 * @param {Uint8Array} pkR  the recipient's X25519 public key
 * @param {Uint8Array} info
 * @param {Uint8Array} plaintext
 * @param {{aad?: Uint8Array, ephemeral?: Uint8Array}} [options]
 * @returns {Promise<{enc: Uint8Array, ciphertext: Uint8Array, sharedSecret: Uint8Array,
 *   keyScheduleContext: Uint8Array, key: Uint8Array, baseNonce: Uint8Array}>}
 */
export async function sealBase(pkR, info, plaintext, options = {}) {
  const skE = options.ephemeral ?? crypto.getRandomValues(new Uint8Array(32));
  const enc = x25519Public(skE);
  const sharedSecret = await kemSharedSecret(dh(skE, asBytes(pkR, "pkR")), enc, pkR);
  const schedule = await keySchedule(sharedSecret, asBytes(info, "info"));
  const ciphertext = await aead("encrypt", schedule, options.aad, plaintext);
  return { enc, ciphertext, sharedSecret, ...schedule };
}

/**
 * RFC 9180 §5.1.1 SetupBaseR then §5.2 Open with sequence number 0.
 * @param {Uint8Array} enc
 * @param {Uint8Array} skR  the recipient's X25519 private key
 * @param {Uint8Array} info
 * @param {Uint8Array} ciphertext  the AEAD output (with its tag)
 * @param {{aad?: Uint8Array}} [options]
 * @returns {Promise<Uint8Array>}
 * @throws {HpkeError}
 */
export async function openBase(enc, skR, info, ciphertext, options = {}) {
  if (asBytes(enc, "enc").length !== N_ENC) throw new HpkeError("enc is not 32 bytes");
  const sharedSecret = await kemSharedSecret(dh(skR, enc), enc, x25519Public(skR));
  const schedule = await keySchedule(sharedSecret, asBytes(info, "info"));
  try {
    return await aead("decrypt", schedule, options.aad, ciphertext);
  } catch {
    throw new HpkeError("the ciphertext does not open");
  }
}

/** AES-128-GCM (RFC 9180 §7.3) through WebCrypto, nonce = base_nonce (sequence 0, §5.2). */
async function aead(direction, { key, baseNonce }, aad, data) {
  const cryptoKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, [direction]);
  const params = {
    name: "AES-GCM",
    iv: baseNonce,
    additionalData: aad ?? new Uint8Array(0),
    tagLength: 8 * N_TAG,
  };
  return new Uint8Array(await crypto.subtle[direction](params, cryptoKey, asBytes(data, "data")));
}

/**
 * `cryptography`'s Suite.encrypt(plaintext, pkR, info): enc ‖ ciphertext (single-shot).
 * @param {Uint8Array} pkR
 * @param {Uint8Array} info
 * @param {Uint8Array} plaintext
 * @param {Uint8Array} [ephemeral]  only for tests
 * @returns {Promise<Uint8Array>}
 */
export async function seal(pkR, info, plaintext, ephemeral) {
  const { enc, ciphertext } = await sealBase(pkR, info, plaintext, { ephemeral });
  return concat(enc, ciphertext);
}

/**
 * `cryptography`'s Suite.decrypt(enc ‖ ciphertext, skR, info).
 * @param {Uint8Array} sealed
 * @param {Uint8Array} skR
 * @param {Uint8Array} info
 * @returns {Promise<Uint8Array>}
 * @throws {HpkeError}
 */
export async function open(sealed, skR, info) {
  if (asBytes(sealed, "sealed").length < N_ENC + N_TAG) throw new HpkeError("too short");
  return openBase(sealed.subarray(0, N_ENC), skR, info, sealed.subarray(N_ENC));
}
