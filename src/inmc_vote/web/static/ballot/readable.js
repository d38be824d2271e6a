// Crockford base32: what people copy by hand (tokens) and compare by eye
// (fingerprints). Mirrors inmc_vote/domain/protocol/readable.py.
//
// No I, L, O or U; reading ignores case, spaces and hyphens, and takes O for 0 and
// I or L for 1, the usual misreadings.

import { asBytes } from "./bytes.js";

export const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Each readable character's 5-bit value, misreadings included. */
const VALUE = new Map([...ALPHABET].map((ch, i) => [ch, i]));
VALUE.set("O", 0).set("I", 1).set("L", 1);

/** The characters that reading skips (Python: " -\t\n\r"). */
const SKIPPED = new Set([" ", "-", "\t", "\n", "\r"]);

/**
 * Encode bytes; the last character is padded with zero bits on the right.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function encode(bytes) {
  let out = "";
  let acc = 0; // bits not yet written, at most 12 of them
  let accBits = 0;
  for (const byte of asBytes(bytes)) {
    acc = (acc << 8) | byte;
    accBits += 8;
    while (accBits >= 5) {
      accBits -= 5;
      out += ALPHABET[(acc >> accBits) & 31];
    }
    acc &= (1 << accBits) - 1;
  }
  if (accBits > 0) out += ALPHABET[(acc << (5 - accBits)) & 31];
  return out;
}

/**
 * Decode exactly `nBytes`; throws an Error for a wrong length or character, or a
 * last character whose padding bits are not zero.
 * @param {string} text
 * @param {number} nBytes
 * @returns {Uint8Array}
 */
export function decode(text, nBytes) {
  const chars = [...normalise(text)];
  const nChars = Math.ceil((nBytes * 8) / 5);
  if (chars.length !== nChars) {
    throw new Error(`expected ${nChars} characters, got ${chars.length}`);
  }
  const out = new Uint8Array(nBytes);
  let written = 0;
  let acc = 0;
  let accBits = 0;
  for (const ch of chars) {
    const value = VALUE.get(ch);
    if (value === undefined) throw new Error(`«${ch}» is not a token character`);
    acc = (acc << 5) | value;
    accBits += 5;
    if (accBits >= 8) {
      accBits -= 8;
      out[written++] = (acc >> accBits) & 0xff;
      acc &= (1 << accBits) - 1;
    }
  }
  // What is left are the padding bits of the last character: they must be zero.
  if (acc !== 0) throw new Error("the last character is not possible");
  return out;
}

/**
 * Upper case, without spaces, tabs, line breaks or hyphens.
 * @param {string} text
 * @returns {string}
 */
export function normalise(text) {
  return [...text.toUpperCase()]
    .filter((ch) => !SKIPPED.has(ch))
    .map((ch) => MISREAD[ch] ?? ch) // O → 0, I and L → 1, everywhere (checksum included)
    .join("");
}

/** The usual misreadings, taken for the digits they resemble. */
const MISREAD = Object.freeze({ O: "0", I: "1", L: "1" });

/**
 * Groups of `size` characters joined by hyphens, e.g. "ABCD-EFGH".
 * @param {string} text
 * @param {number} [size=4]
 * @returns {string}
 */
export function grouped(text, size = 4) {
  const groups = [];
  for (let i = 0; i < text.length; i += size) groups.push(text.slice(i, i + size));
  return groups.join("-");
}
