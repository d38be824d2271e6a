// Labels and canonical JSON, shared by the v2 ballot modules and protocol.js. Mirrors
// inmc_vote/domain/protocol/encoding.py (docs/protocol.md, "Encodings":
// "canonical JSON as in v1; labelled(x) = x ‖ 0x00"). Moved here unchanged from v1's
// protocol.js so that ballot.js and receipt.js need not import protocol.js.

import { concat, isWellFormed, utf8 } from "./bytes.js";

/**
 * A message's domain label: its name and a zero byte (docs/protocol.md, "Encodings").
 * @param {string} label
 * @returns {Uint8Array}
 */
export function labelled(label) {
  return concat(utf8(label), Uint8Array.of(0));
}

/**
 * Canonical JSON as UTF-8 bytes (docs/protocol.md, "Encodings"; encoding.canonical_json): keys
 * sorted (by code point, as Python sorts), no whitespace, non-ASCII characters as
 * themselves. Only integers, strings, booleans, arrays and plain objects are allowed;
 * anything else throws a TypeError.
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
