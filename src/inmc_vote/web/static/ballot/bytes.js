// Byte helpers shared by the ballot modules: UTF-8, hex, unpadded base64url,
// concatenation, big-endian integers and SHA-256. They mirror
// inmc_vote/domain/protocol/encoding.py. Bytes are always Uint8Array.

const encoder = new TextEncoder();

/**
 * Check that a value is a Uint8Array (what every function here takes as bytes).
 * @param {unknown} value
 * @param {string} what  a name for the error message
 * @returns {Uint8Array}
 */
export function asBytes(value, what = "value") {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array`);
  }
  return value;
}

/**
 * The UTF-8 bytes of a string. The string must be well formed (no lone surrogate):
 * TextEncoder would silently turn one into U+FFFD, where Python refuses to encode it.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function utf8(text) {
  if (typeof text !== "string") throw new TypeError("expected a string");
  if (!isWellFormed(text)) throw new TypeError("the text has a lone surrogate");
  return encoder.encode(text);
}

/**
 * True when a string has no lone UTF-16 surrogate.
 * @param {string} text
 * @returns {boolean}
 */
export function isWellFormed(text) {
  if (typeof text.isWellFormed === "function") return text.isWellFormed();
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/**
 * The concatenation of byte strings.
 * @param {...Uint8Array} parts
 * @returns {Uint8Array}
 */
export function concat(...parts) {
  let length = 0;
  for (const part of parts) length += asBytes(part, "each part").length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * True when two byte strings are equal (not constant-time: for public values only).
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 * @returns {boolean}
 */
export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Lower-case hexadecimal.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function hex(bytes) {
  return Array.from(asBytes(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Bytes from hexadecimal (either case); throws on anything else.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function fromHex(text) {
  if (typeof text !== "string" || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new Error("expected hexadecimal");
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Unpadded base64url, as every byte string in the protocol's JSON.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function b64url(bytes) {
  let binary = "";
  for (const b of asBytes(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Bytes from unpadded base64url; throws on padding, on a character outside the
 * alphabet and on an impossible length.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function fromB64url(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new Error("expected unpadded base64url");
  }
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/**
 * An unsigned integer as `length` big-endian bytes (RFC 9180's I2OSP).
 * @param {number} n  a non-negative safe integer
 * @param {number} length
 * @returns {Uint8Array}
 */
export function i2osp(n, length) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("expected a non-negative integer");
  const out = new Uint8Array(length);
  let rest = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  if (rest !== 0) throw new RangeError(`${n} does not fit in ${length} bytes`);
  return out;
}

/**
 * `u32`: 4-byte big-endian (protocol v2's length prefixes and indices).
 * @param {number} n  a non-negative safe integer below 2^32
 * @returns {Uint8Array}
 */
export function u32(n) {
  return i2osp(n, 4);
}

/**
 * `u64`: 8-byte big-endian, as in the signed messages.
 * @param {number} n  a non-negative safe integer
 * @returns {Uint8Array}
 */
export function u64(n) {
  return i2osp(n, 8);
}

/**
 * SHA-256 of the concatenation of the parts.
 * @param {...Uint8Array} parts
 * @returns {Promise<Uint8Array>}
 */
export async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
}
