// HPKE (RFC 9180), base mode, single shot, for exactly one suite:
//   KEM  0x0020 DHKEM(X25519, HKDF-SHA256)
//   KDF  0x0001 HKDF-SHA256
//   AEAD 0x0001 AES-128-GCM
// with WebCrypto only. WebCrypto's own HKDF does Extract and Expand in one call, so
// HKDF-Extract and HKDF-Expand (RFC 5869) are written here over HMAC-SHA256.
//
// What `seal` returns, enc ‖ ciphertext ‖ tag, is what Python's
// cryptography.hazmat.primitives.hpke.Suite(KEM.X25519, KDF.HKDF_SHA256,
// AEAD.AES_128_GCM).encrypt(...) produces, and what its decrypt(...) opens.
// Section numbers below are RFC 9180's.

import { asBytes, concat, fromB64url, i2osp, utf8 } from "./bytes.js";

export const KEM_ID = 0x0020;
export const KDF_ID = 0x0001;
export const AEAD_ID = 0x0001;
export const MODE_BASE = 0x00;

export const N_SECRET = 32; // KEM shared secret
export const N_ENC = 32; // encapsulated key (an X25519 public key)
export const N_PK = 32; // recipient public key
export const N_H = 32; // SHA-256 output
export const N_K = 16; // AES-128 key
export const N_N = 12; // GCM nonce
export const N_T = 16; // GCM tag

/** suite_id of the KEM (§4.1): "KEM" ‖ I2OSP(kem_id, 2). */
export const KEM_SUITE_ID = concat(utf8("KEM"), i2osp(KEM_ID, 2));
/** suite_id of the key schedule (§5.1): "HPKE" ‖ kem_id ‖ kdf_id ‖ aead_id. */
export const HPKE_SUITE_ID = concat(
  utf8("HPKE"),
  i2osp(KEM_ID, 2),
  i2osp(KDF_ID, 2),
  i2osp(AEAD_ID, 2),
);

const HPKE_V1 = utf8("HPKE-v1");
const EMPTY = new Uint8Array(0);

/** PKCS#8 wrapping of a raw X25519 private key (RFC 8410): prefix ‖ 32 bytes. */
const X25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

// --- HKDF-SHA256 (RFC 5869) over WebCrypto HMAC ------------------------------------

async function hmacSha256(key, data) {
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, data));
}

/**
 * HKDF-Extract(salt, IKM) = HMAC-SHA256(salt, IKM). An empty salt stands for N_H zero
 * bytes (RFC 5869 §2.2), which HMAC treats the same way (WebCrypto refuses empty keys).
 * @param {Uint8Array} salt
 * @param {Uint8Array} ikm
 * @returns {Promise<Uint8Array>} the 32-byte pseudorandom key
 */
export async function hkdfExtract(salt, ikm) {
  asBytes(salt, "salt");
  return hmacSha256(salt.length === 0 ? new Uint8Array(N_H) : salt, asBytes(ikm, "ikm"));
}

/**
 * HKDF-Expand(PRK, info, L): T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), the first L bytes.
 * @param {Uint8Array} prk
 * @param {Uint8Array} info
 * @param {number} length  at most 255 × 32
 * @returns {Promise<Uint8Array>}
 */
export async function hkdfExpand(prk, info, length) {
  if (!Number.isInteger(length) || length < 0 || length > 255 * N_H) {
    throw new RangeError("HKDF-Expand length out of range");
  }
  const okm = new Uint8Array(length);
  let block = EMPTY;
  for (let i = 1, done = 0; done < length; i++) {
    block = await hmacSha256(prk, concat(block, asBytes(info, "info"), Uint8Array.of(i)));
    okm.set(block.subarray(0, Math.min(N_H, length - done)), done);
    done += N_H;
  }
  return okm;
}

// --- Labelled KDF (§4) --------------------------------------------------------------

/**
 * LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm).
 * @param {Uint8Array} suiteId  KEM_SUITE_ID or HPKE_SUITE_ID
 * @param {Uint8Array} salt
 * @param {string} label
 * @param {Uint8Array} ikm
 * @returns {Promise<Uint8Array>}
 */
export function labeledExtract(suiteId, salt, label, ikm) {
  return hkdfExtract(salt, concat(HPKE_V1, suiteId, utf8(label), ikm));
}

/**
 * LabeledExpand(prk, label, info, L) =
 *   Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L).
 * @param {Uint8Array} suiteId  KEM_SUITE_ID or HPKE_SUITE_ID
 * @param {Uint8Array} prk
 * @param {string} label
 * @param {Uint8Array} info
 * @param {number} length
 * @returns {Promise<Uint8Array>}
 */
export function labeledExpand(suiteId, prk, label, info, length) {
  const labeledInfo = concat(i2osp(length, 2), HPKE_V1, suiteId, utf8(label), info);
  return hkdfExpand(prk, labeledInfo, length);
}

// --- DHKEM(X25519, HKDF-SHA256) (§4.1) ----------------------------------------------

/**
 * ExtractAndExpand(dh, kem_context): the KEM's shared secret.
 * @param {Uint8Array} dh  the X25519 output
 * @param {Uint8Array} kemContext  enc ‖ pkRm
 * @returns {Promise<Uint8Array>}
 */
export async function extractAndExpand(dh, kemContext) {
  const eaePrk = await labeledExtract(KEM_SUITE_ID, EMPTY, "eae_prk", dh);
  return labeledExpand(KEM_SUITE_ID, eaePrk, "shared_secret", kemContext, N_SECRET);
}

/** An ephemeral X25519 key pair: a fresh one, or (test vectors) a given private key. */
async function ephemeralKeyPair(fixedPrivate) {
  if (fixedPrivate === undefined) {
    const pair = await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
    const publicRaw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    return { privateKey: pair.privateKey, publicRaw };
  }
  if (asBytes(fixedPrivate, "ephemeral private key").length !== 32) {
    throw new Error("an X25519 private key has 32 bytes");
  }
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    concat(X25519_PKCS8_PREFIX, fixedPrivate),
    { name: "X25519" },
    true, // extractable, only to read its public half below
    ["deriveBits"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  return { privateKey, publicRaw: fromB64url(jwk.x) };
}

/**
 * Encap(pkR): a shared secret and its encapsulation `enc` for the recipient.
 * @param {Uint8Array} recipientPublicRaw  pkRm, the recipient's raw X25519 key
 * @param {Uint8Array} [ephemeralPrivate]  only for test vectors: a fixed skEm
 * @returns {Promise<{shared_secret: Uint8Array, enc: Uint8Array}>}
 */
export async function encap(recipientPublicRaw, ephemeralPrivate) {
  if (asBytes(recipientPublicRaw, "recipient public key").length !== N_PK) {
    throw new Error("an X25519 public key has 32 bytes");
  }
  const recipient = await crypto.subtle.importKey(
    "raw",
    recipientPublicRaw,
    { name: "X25519" },
    false,
    [],
  );
  const ephemeral = await ephemeralKeyPair(ephemeralPrivate);
  // WebCrypto already fails on an all-zero X25519 output (a small-order public key);
  // check again, since RFC 9180 §7.1.4 requires it.
  const dh = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "X25519", public: recipient }, ephemeral.privateKey, 256),
  );
  if (dh.every((b) => b === 0)) throw new Error("X25519 gave the all-zero value");
  const enc = ephemeral.publicRaw;
  const sharedSecret = await extractAndExpand(dh, concat(enc, recipientPublicRaw));
  return { shared_secret: sharedSecret, enc };
}

// --- Key schedule (§5.1), base mode ---------------------------------------------------

/**
 * KeySchedule(mode_base, shared_secret, info, psk = "", psk_id = "").
 * @param {Uint8Array} sharedSecret
 * @param {Uint8Array} info
 * @returns {Promise<{key: Uint8Array, base_nonce: Uint8Array, exporter_secret: Uint8Array}>}
 */
export async function keySchedule(sharedSecret, info) {
  const pskIdHash = await labeledExtract(HPKE_SUITE_ID, EMPTY, "psk_id_hash", EMPTY);
  const infoHash = await labeledExtract(HPKE_SUITE_ID, EMPTY, "info_hash", asBytes(info, "info"));
  const context = concat(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = await labeledExtract(HPKE_SUITE_ID, sharedSecret, "secret", EMPTY);
  return {
    key: await labeledExpand(HPKE_SUITE_ID, secret, "key", context, N_K),
    base_nonce: await labeledExpand(HPKE_SUITE_ID, secret, "base_nonce", context, N_N),
    exporter_secret: await labeledExpand(HPKE_SUITE_ID, secret, "exp", context, N_H),
  };
}

/**
 * SetupBaseS(pkR, info) (§5.1.1): the sender's context and the values behind it,
 * exported for the test vectors.
 * @param {Uint8Array} recipientPublicRaw
 * @param {Uint8Array} info
 * @param {{ephemeralPrivate?: Uint8Array}} [options]  a fixed skEm, for test vectors only
 * @returns {Promise<{enc: Uint8Array, shared_secret: Uint8Array, key: Uint8Array,
 *   base_nonce: Uint8Array, exporter_secret: Uint8Array}>}
 */
export async function setupBaseS(recipientPublicRaw, info, options = {}) {
  const { shared_secret: sharedSecret, enc } = await encap(
    recipientPublicRaw,
    options.ephemeralPrivate,
  );
  return { enc, shared_secret: sharedSecret, ...(await keySchedule(sharedSecret, info)) };
}

/**
 * Single-shot seal (§6.1): enc ‖ AES-128-GCM(key, base_nonce, aad, plaintext) ‖ tag.
 * The sequence number is 0, so the nonce is base_nonce itself.
 * @param {Uint8Array} recipientPublicRaw  the recipient's raw X25519 public key
 * @param {Uint8Array} info
 * @param {Uint8Array} plaintext
 * @param {Uint8Array} [aad]  empty by default (Python's Suite.encrypt has none)
 * @param {{ephemeralPrivate?: Uint8Array}} [options]  a fixed skEm, for test vectors only
 * @returns {Promise<Uint8Array>}
 */
export async function seal(recipientPublicRaw, info, plaintext, aad = EMPTY, options = {}) {
  const context = await setupBaseS(recipientPublicRaw, info, options);
  const aesKey = await crypto.subtle.importKey("raw", context.key, { name: "AES-GCM" }, false, [
    "encrypt",
  ]);
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: context.base_nonce, additionalData: asBytes(aad, "aad"), tagLength: 128 },
    aesKey,
    asBytes(plaintext, "plaintext"),
  );
  return concat(context.enc, new Uint8Array(ciphertext));
}
