// The two group primitives the shuffle needs that ../ballot/group.js lacks, mirroring
// inmc_vote/domain/protocol/group.py: libsodium's `crypto_core_ed25519_from_uniform` and the
// shuffle's independent generators (`group.generator`) (docs/protocol.md, "The group" and
// "Mixing").
//
// No field, curve or scalar arithmetic is written here: Elligator 2 is noble's RFC 9380
// map (`_map_to_curve_elligator2_curve25519`, exported by @noble/curves 2.4.0 for this
// use), the Montgomery-to-Edwards step is RFC 7748 §4.1's map through noble's field `Fp`,
// decoding and cofactor clearing are noble's point API.

import { _map_to_curve_elligator2_curve25519, ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";

import { asBytes, concat, u32 } from "../ballot/bytes.js";
import { labelled } from "../ballot/encoding.js";

const Point = ed25519.Point;
const Fp = Point.Fp;

const GENERATOR_LABEL = labelled("inmc-vote/v2/generator");

/**
 * libsodium's `crypto_core_ed25519_from_uniform(r)` (its ge25519_from_uniform): the low 255
 * bits of r, little-endian, are a field element u; Elligator 2 maps it to a Montgomery
 * point whose u-coordinate (the same as RFC 9380 §6.7.1's, which noble computes) gives the
 * Edwards y = (u − 1)/(u + 1) (RFC 7748 §4.1); r's top bit chooses the sign of x; the
 * point is then multiplied by the cofactor 8. Returns noble's point.
 * @param {Uint8Array} r  32 bytes
 * @returns {InstanceType<typeof Point>}
 */
export function fromUniform(r) {
  if (asBytes(r, "r").length !== 32) throw new Error("from_uniform takes 32 bytes");
  const bytes = Uint8Array.from(r);
  const xSign = bytes[31] & 0x80;
  bytes[31] &= 0x7f;
  const { xMn, xMd } = _map_to_curve_elligator2_curve25519(Fp.create(bytesToNumberLE(bytes)));
  const y = Fp.div(Fp.sub(xMn, xMd), Fp.add(xMn, xMd));
  // the point with this y and an even x, negated for an odd one; where x = 0 (u = 0,
  // y = −1) the sign bit changes nothing, as in libsodium, which strict RFC 8032
  // decoding would refuse
  const even = Point.fromBytes(Fp.toBytes(y));
  return (xSign ? even.negate() : even).clearCofactor();
}

/**
 * The shuffle's independent generator number `index` for manifest hash `mh` (group.generator;
 * docs/protocol.md, "Mixing"; the paper's h = index 0 and h_1..h_N):
 * from_uniform(SHA-512(labelled("inmc-vote/v2/generator") ‖ mh ‖ u32(index))[0..32]).
 * Nobody knows its discrete logarithm to G or to another generator.
 * @param {Uint8Array} mh  the 32-byte manifest hash
 * @param {number} index
 * @returns {InstanceType<typeof Point>}
 */
function generatorPoint(mh, index) {
  if (asBytes(mh, "the manifest hash").length !== 32) throw new Error("mh is 32 bytes");
  const seed = sha512(concat(GENERATOR_LABEL, mh, u32(index))).subarray(0, 32);
  const p = fromUniform(seed);
  if (p.is0()) throw new Error("the generator is the identity"); // as group.point refuses it
  return p;
}

/**
 * (h, h_1, …, h_n) for manifest hash `mh` (shuffle.generators), as noble points.
 * @param {Uint8Array} mh
 * @param {number} n
 * @returns {InstanceType<typeof Point>[]}
 */
export function generators(mh, n) {
  return Array.from({ length: n + 1 }, (_, i) => generatorPoint(mh, i));
}
