// The trustee's key file, exactly as `inmc-vote trustee` writes it (tools/trustee.py,
// `TrusteeFile` and `_dump`; docs/protocol.md, "Trustees", "The trustee's key file"):
// JSON `inmc-vote/trustee/v2` with sorted keys, two-space indent, ASCII only, and a
// final newline, so that the command line continues from a file this page made and
// this page from one the command line made. It never leaves the trustee's machine: the
// page offers it as a download and asks for it again at each later step.

import { x25519 } from "@noble/curves/ed25519.js";

import { b64url } from "../ballot/bytes.js";
import * as group from "../ballot/group.js";
import { strictB64url } from "./messages.js";

export const FORMAT = "inmc-vote/trustee/v2";
const FIELDS = [
  "ballot",
  "ceremony",
  "encryption_private",
  "format",
  "invitation",
  "lot_rho",
  "polynomial",
  "server",
  "share",
  "signing_seed",
  "trustee",
];
const INVITATION = /^([1-9][0-9]{0,8})\.([1-9][0-9]{0,2})\.([A-Za-z0-9_-]{43})$/;

/** A key file that cannot be read or is not this trustee's; the message is for a person. */
export class KeyFileError extends Error {
  constructor(message) {
    super(message);
    this.name = "KeyFileError";
  }
}

/**
 * An invitation's ceremony, index and text (invitations.read_invitation), or null.
 * @param {string} text
 * @returns {{ceremony: number, index: number, text: string} | null}
 */
export function readInvitation(text) {
  const stripped = String(text ?? "").trim();
  const found = INVITATION.exec(stripped);
  if (!found) return null;
  return { ceremony: Number(found[1]), index: Number(found[2]), text: stripped };
}

const random32 = () => crypto.getRandomValues(new Uint8Array(32));

/**
 * Fresh secrets for the trustee an invitation names (tools/trustee.new_trustee_file):
 * an Ed25519 seed, an X25519 private key and the lot secret ρ, 32 random bytes each.
 * @param {string} server  this site's address
 * @param {string} ballot
 * @param {{ceremony: number, index: number, text: string}} invitation
 */
export function newTrusteeFile(server, ballot, invitation) {
  return {
    server: server.replace(/\/+$/, ""),
    ballot,
    ceremony: invitation.ceremony,
    trustee: invitation.index,
    invitation: invitation.text,
    signingSeed: random32(),
    encryptionPrivate: x25519.utils.randomSecretKey(),
    lotRho: random32(),
    polynomial: null,
    share: null,
  };
}

/** The file's JSON value (TrusteeFile.to_json). */
function toJson(file) {
  return {
    format: FORMAT,
    server: file.server,
    ballot: file.ballot,
    ceremony: file.ceremony,
    trustee: file.trustee,
    invitation: file.invitation,
    signing_seed: b64url(file.signingSeed),
    encryption_private: b64url(file.encryptionPrivate),
    lot_rho: b64url(file.lotRho),
    polynomial:
      file.polynomial === null ? null : file.polynomial.map((a) => b64url(group.scalarBytes(a))),
    share: file.share === null ? null : b64url(group.scalarBytes(file.share)),
  };
}

/**
 * The file's bytes as Python's json.dumps(value, indent=2, sort_keys=True) + "\n":
 * JSON.stringify lays out objects and arrays the same way; keys are sorted here, and
 * every character outside printable ASCII is escaped as \u followed by four lower-case
 * hex digits, as ensure_ascii does.
 * @returns {string}
 */
export function dump(file) {
  const value = toJson(file);
  const sorted = {};
  for (const key of Object.keys(value).sort()) sorted[key] = value[key];
  const text = JSON.stringify(sorted, null, 2).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${text}\n`;
}

function text(value) {
  if (typeof value !== "string") throw new TypeError("a text is not a text");
  return value;
}

function number(value) {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new TypeError("a number is not a whole number from 1");
  }
  return value;
}

function bytes32(value) {
  const data = strictB64url(value);
  if (data.length !== 32) throw new RangeError("a key is not 32 bytes");
  return data;
}

/**
 * A key file read back (TrusteeFile.from_json), every field checked.
 * @param {string} source  the file's text
 * @param {string} where  its name, for the messages
 * @throws {KeyFileError}
 */
export function readKeyFile(source, where = "the key file") {
  let value;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new KeyFileError(`${where} cannot be read as a key file (${error.message}).`);
  }
  if (
    value === null ||
    typeof value !== "object" ||
    Array.isArray(value) ||
    value.format !== FORMAT
  ) {
    throw new KeyFileError(`${where} is not an ${FORMAT} file.`);
  }
  if (Object.keys(value).sort().join(",") !== FIELDS.join(",")) {
    throw new KeyFileError(`${where} does not have the fields of an ${FORMAT} file.`);
  }
  try {
    const invitation = readInvitation(text(value.invitation));
    if (invitation === null) throw new TypeError("its invitation is not an invitation");
    const { polynomial, share } = value;
    if (polynomial !== null && !Array.isArray(polynomial))
      throw new TypeError("the polynomial is not a list");
    return {
      server: text(value.server),
      ballot: text(value.ballot),
      ceremony: number(value.ceremony),
      trustee: number(value.trustee),
      invitation: invitation.text,
      signingSeed: bytes32(value.signing_seed),
      encryptionPrivate: bytes32(value.encryption_private),
      lotRho: bytes32(value.lot_rho),
      polynomial: polynomial === null ? null : polynomial.map((a) => group.scalar(bytes32(a))),
      share: share === null ? null : group.scalar(bytes32(share)),
    };
  } catch (error) {
    throw new KeyFileError(`${where} is damaged (${error.message}).`);
  }
}

/** The name the command line's join suggests: trustee-<ballot>-<index>.json. */
export function fileName(file) {
  return `trustee-${file.ballot}-${file.trustee}.json`;
}
