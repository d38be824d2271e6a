// The group of protocol v2 in the browser: Ed25519's prime-order subgroup, through the
// vendored, audited @noble/curves (static/vendor/noble-curves, resolved by the page's
// import map). Mirrors inmc_vote/domain/protocol/group.py (docs/protocol.md,
// protocol.md, "The group"). No field, curve or scalar arithmetic is written here: points go through noble's
// ed25519 point class, scalars mod L through its scalar field `Fn` and `mod`; this module
// only checks and names.
//
// A point crosses this module's boundary as its 32-byte RFC 8032 encoding (Uint8Array),
// a scalar as a bigint in [0, L) inside and as 32 bytes little-endian outside.

import { mod } from "@noble/curves/abstract/modular.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";

import { asBytes, concat, equalBytes, u32, utf8 } from "./bytes.js";

const Point = ed25519.Point;
const Fn = Point.Fn;

/** The group's order, RFC 8032's L (protocol.md, "The group"). */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
if (Fn.ORDER !== L) throw new Error("the vendored @noble/curves has another group order");

export const POINT_BYTES = 32;
export const SCALAR_BYTES = 32;

/** RFC 8032's base point G, encoded (protocol.md, "The group"). */
export const BASE = Point.BASE.toBytes();

/** A point or scalar that fails its check, or an operation whose result is the identity. */
export class GroupError extends Error {
  constructor(message) {
    super(message);
    this.name = "GroupError";
  }
}

/**
 * Decode a received point with libsodium's `crypto_core_ed25519_is_valid_point` rules
 * (protocol.md, "The group"): strict RFC 8032 decoding (y < p, no x = 0 with the sign bit set, on the curve),
 * not the identity nor of small order, torsion-free (in the prime-order subgroup), and
 * re-encoding to the very same bytes.
 * @param {Uint8Array} bytes  32 bytes
 * @returns {InstanceType<typeof Point>}
 * @throws {GroupError}
 */
export function decodePoint(bytes) {
  asBytes(bytes, "a point");
  if (bytes.length !== POINT_BYTES) throw new GroupError("a point is 32 bytes");
  let p;
  try {
    p = Point.fromBytes(bytes, false); // zip215 = false: RFC 8032's strict decoding
  } catch {
    throw new GroupError("not the encoding of a curve point");
  }
  if (p.is0() || p.isSmallOrder()) throw new GroupError("a point of small order");
  if (!p.isTorsionFree()) throw new GroupError("not in the prime-order subgroup");
  if (!equalBytes(p.toBytes(), bytes)) throw new GroupError("not a canonical encoding");
  return p;
}

/**
 * `bytes` if they encode a point of the group (protocol.md, "The group", group.point), else a GroupError.
 * @param {Uint8Array} bytes
 * @returns {Uint8Array}
 */
export function point(bytes) {
  decodePoint(bytes);
  return bytes;
}

/**
 * True when `bytes` encode a point of the group (protocol.md, "The group").
 * @param {Uint8Array} bytes
 * @returns {boolean}
 */
export function isPoint(bytes) {
  try {
    decodePoint(bytes);
    return true;
  } catch (error) {
    if (error instanceof GroupError) return false;
    throw error;
  }
}

/** The encoding of a computed point; the identity is refused, as libsodium does (protocol.md, "The group"). */
function encode(p) {
  if (p.is0()) throw new GroupError("the result is the identity");
  return p.toBytes();
}

// --- Scalars (protocol.md, "The group": 32 bytes little-endian, < L) ---------------------------------------

/**
 * A canonical scalar's value (protocol.md, "The group", group.scalar): 32 bytes little-endian, below L.
 * @param {Uint8Array} bytes
 * @returns {bigint}
 * @throws {GroupError}
 */
export function scalar(bytes) {
  asBytes(bytes, "a scalar");
  if (bytes.length !== SCALAR_BYTES) throw new GroupError("a scalar is 32 bytes");
  try {
    return Fn.fromBytes(bytes); // little-endian, refuses a value ≥ L
  } catch {
    throw new GroupError("a scalar is below the group order");
  }
}

/**
 * A scalar's 32 bytes, little-endian (protocol.md, "The group").
 * @param {bigint} s  in [0, L)
 * @returns {Uint8Array}
 */
export function scalarBytes(s) {
  if (typeof s !== "bigint" || !Fn.isValid(s)) throw new GroupError("out of range for a scalar");
  return Fn.toBytes(s);
}

/** s + t mod L (protocol.md, "The group", group.s_add). */
export const sAdd = (s, t) => Fn.add(s, t);
/** s · t mod L (protocol.md, "The group", group.s_mul). */
export const sMul = (s, t) => Fn.mul(s, t);

/**
 * A uniform non-zero scalar: 64 random bytes reduced mod L, as group.random_scalar (protocol.md, "The group").
 * @returns {bigint}
 */
export function randomScalar() {
  for (;;) {
    const s = mod(bytesToNumberLE(crypto.getRandomValues(new Uint8Array(64))), L);
    if (s !== 0n) return s;
  }
}

/**
 * Hs(label, *parts) = SHA-512(labelled(label) ‖ for each part: u32(len(part)) ‖ part) mod L
 * (protocol.md, "The group", group.hash_scalar; noble's `mod(bytesToNumberLE(h), n)`).
 * @param {string} label
 * @param {...Uint8Array} parts
 * @returns {bigint}
 */
export function hashScalar(label, ...parts) {
  const pieces = [utf8(label), Uint8Array.of(0)];
  for (const part of parts) pieces.push(u32(asBytes(part, "each part").length), part);
  return mod(bytesToNumberLE(sha512(concat(...pieces))), L);
}

// --- Point arithmetic (protocol.md, "The group": base_mul, mul, add, sub) -----------------------------------

/**
 * s·G (protocol.md, "The group", group.base_mul). Constant-time (noble's `multiply`): s is often secret.
 * @param {bigint} s  in [1, L)
 * @returns {Uint8Array}
 */
export function baseMul(s) {
  if (typeof s !== "bigint" || !Fn.isValidNot0(s)) throw new GroupError("s·G with s = 0");
  return encode(Point.BASE.multiply(s));
}

/**
 * s·P (protocol.md, "The group", group.mul). P is checked first; constant-time in s.
 * @param {bigint} s  in [1, L)
 * @param {Uint8Array} p  a point's encoding
 * @returns {Uint8Array}
 */
export function mul(s, p) {
  if (typeof s !== "bigint" || !Fn.isValidNot0(s)) throw new GroupError("s·P with s = 0");
  return encode(decodePoint(p).multiply(s));
}

/**
 * P + Q (protocol.md, "The group", group.add); the identity is refused.
 * @param {Uint8Array} p
 * @param {Uint8Array} q
 * @returns {Uint8Array}
 */
export function add(p, q) {
  return encode(decodePoint(p).add(decodePoint(q)));
}

/**
 * P − Q (protocol.md, "The group", group.sub); the identity is refused.
 * @param {Uint8Array} p
 * @param {Uint8Array} q
 * @returns {Uint8Array}
 */
export function sub(p, q) {
  return encode(decodePoint(p).subtract(decodePoint(q)));
}
