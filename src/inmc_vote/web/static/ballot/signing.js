// Ed25519 through the browser's WebCrypto, as v1 signed: a credential is the Ed25519 key
// pair of a token's 32-byte seed (RFC 8032 signatures are deterministic, so the same seed
// and message give the same signature here as in Python's `cryptography`). Moved here
// from v1's protocol.js so that ballot.js and receipt.js need not import protocol.js.

import { asBytes, concat, fromB64url } from "./bytes.js";

export const SEED_BYTES = 32;

/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): prefix ‖ 32 bytes. */
const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/**
 * The credential of a token's seed: its Ed25519 signing key and raw public key
 * (docs/protocol.md, "The ballot": "credential seed (32 bytes, Ed25519 seed as in v1)").
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
 * An Ed25519 signature (RFC 8032, deterministic) by a credential's private key.
 * @param {CryptoKey} privateKey
 * @param {Uint8Array} message
 * @returns {Promise<Uint8Array>}  64 bytes
 */
export async function ed25519Sign(privateKey, message) {
  return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, privateKey, message));
}

/**
 * Ed25519 verification like keys.verify: false (never a throw) for anything invalid.
 * @param {Uint8Array} publicRaw
 * @param {Uint8Array} signature
 * @param {Uint8Array} message
 * @returns {Promise<boolean>}
 */
export async function ed25519Verify(publicRaw, signature, message) {
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
