// The credential authority's files, made in this browser exactly as `inmc-vote tokens
// issue` and `inmc-vote tokens revoke` write them (tools/offline_tokens.py,
// tools/keyfiles.py, domain/protocol/roll_file.py and revocation_file.py,
// documents/token_letters.py): registrar.key, roll.json, letters.html, tokens.csv and
// revocation.json. Ed25519 and SHA-256 are the browser's WebCrypto, through the vote
// page's own modules (../ballot/*.js); nothing here computes on numbers. Every byte
// string is a Uint8Array; every file is returned as text.

import { b64url, concat, fromB64url, sha256, utf8 } from "../ballot/bytes.js";
import { canonicalJson, labelled } from "../ballot/encoding.js";
import { fingerprint, parseToken } from "../ballot/protocol.js";
import * as readable from "../ballot/readable.js";
import { SEED_BYTES, credentialFromSeed, ed25519Sign, ed25519Verify } from "../ballot/signing.js";

export const ROLL_FORMAT = "inmc-vote/roll/v1";
export const REVOCATION_FORMAT = "inmc-vote/revocation/v1";
const REGISTRAR_KEY_FORMAT = "inmc-vote/registrar-key/v1";
const CHECK_CHARS = 4;

/** A refusal for the person using the page (a wrong file, a city not found). */
export class FileProblem extends Error {}

/** 32 fresh random bytes: an Ed25519 seed, as `keys.new_ed25519` makes one. */
function randomSeed() {
  return crypto.getRandomValues(new Uint8Array(SEED_BYTES));
}

/** Python's json.dumps(value, indent, sort_keys=True): keys sorted at every level. */
function sortedKeys(value) {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys(value[key])]),
    );
  }
  return value;
}

/**
 * The text Python writes with json.dump(value, indent=n, sort_keys=True) and a newline.
 * Every value here is ASCII (base64url, ballot ids, format names), where Python's
 * default ensure_ascii and JSON.stringify agree.
 */
function pythonJson(value, indent) {
  const text = JSON.stringify(sortedKeys(value), null, indent);
  if (!/^[\x20-\x7e\n]*$/.test(text)) throw new FileProblem("not ASCII"); // never seen
  return `${text}\n`;
}

/** Byte order of raw public keys, as Python sorts bytes. */
function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * A token: `<ballot>.` then the seed and its 4-character checksum in Crockford base32,
 * in groups of 4 (docs/protocol.md, "Tokens and credentials"; credentials.format_token).
 * It is read back with the vote page's own parseToken before it is handed out.
 */
async function formatToken(ballotId, seed) {
  const digest = await sha256(
    labelled("inmc-vote/token-check/v1"),
    utf8(ballotId),
    Uint8Array.of(0),
    seed,
  );
  const body = readable.encode(seed) + readable.encode(digest).slice(0, CHECK_CHARS);
  const token = `${ballotId}.${readable.grouped(body)}`;
  await parseToken(token, ballotId); // throws if the vote page could not read it
  return token;
}

/**
 * What the registrar signs for each credential (docs/protocol.md, "Tokens and
 * credentials": the roll; credentials.credential_message).
 */
function credentialMessage(ballotId, pk) {
  return concat(labelled("inmc-vote/credential/v1"), utf8(ballotId), Uint8Array.of(0), pk);
}

/**
 * What the registrar signs to revoke a lost token (docs/protocol.md, "Tokens and
 * credentials": a revocation; credentials.revocation_message).
 */
function revocationMessage(ballotId, pk) {
  return concat(labelled("inmc-vote/revocation/v1"), utf8(ballotId), Uint8Array.of(0), pk);
}

/**
 * What the registrar signs over the whole roll (docs/protocol.md, "Tokens and
 * credentials": a roll file; roll_file.signed_message).
 */
function rollFileMessage(ballotId, rollHash) {
  return concat(labelled("inmc-vote/roll-file/v1"), utf8(ballotId), Uint8Array.of(0), rollHash);
}

/**
 * The registrar: an Ed25519 key pair from a seed (docs/protocol.md, "Tokens and
 * credentials": key files kept off the server).
 */
async function registrarOf(ballotId, seed) {
  const { privateKey, publicRaw } = await credentialFromSeed(seed);
  return { ballotId, seed, privateKey, publicRaw };
}

/**
 * registrar.key, as tools/keyfiles.new_registrar_key writes it (docs/protocol.md, "Tokens
 * and credentials": key files kept off the server).
 */
export function registrarKeyFile(registrar) {
  return pythonJson(
    {
      format: REGISTRAR_KEY_FORMAT,
      ballot: registrar.ballotId,
      private: b64url(registrar.seed),
      public: b64url(registrar.publicRaw),
    },
    2,
  );
}

/**
 * The registrar key read back from registrar.key, refused as tools/keyfiles.read_registrar_key
 * refuses it (another format, another ballot, halves that do not match).
 */
export async function readRegistrarKey(text, ballotId) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FileProblem("registrar-not-json");
  }
  if (value === null || typeof value !== "object" || value.format !== REGISTRAR_KEY_FORMAT) {
    throw new FileProblem("registrar-format");
  }
  if (value.ballot !== ballotId) throw new FileProblem("registrar-ballot");
  let registrar;
  try {
    const seed = fromB64url(value.private);
    if (seed.length !== SEED_BYTES) throw new Error("size");
    registrar = await registrarOf(ballotId, seed);
  } catch {
    throw new FileProblem("registrar-unreadable");
  }
  if (b64url(registrar.publicRaw) !== value.public) throw new FileProblem("registrar-mismatch");
  return registrar;
}

/**
 * A new credential: its token (the seed, for the letter only), its fingerprint and
 * its registrar-signed roll line (docs/protocol.md, "Tokens and credentials";
 * credentials.issue_credential).
 */
async function issueCredential(registrar, seed) {
  const { publicRaw } = await credentialFromSeed(seed);
  const sig = await ed25519Sign(
    registrar.privateKey,
    credentialMessage(registrar.ballotId, publicRaw),
  );
  return {
    token: await formatToken(registrar.ballotId, seed),
    fingerprint: await fingerprint(publicRaw),
    line: { pk: publicRaw, sig },
  };
}

function lineJson(line) {
  return { pk: b64url(line.pk), sig: b64url(line.sig) };
}

/**
 * roll.json: the lines sorted by raw public key and the registrar's signature over the
 * roll's hash (docs/protocol.md, "Tokens and credentials": a roll file; roll_file.make).
 * @returns {Promise<{text: string, rollHash: Uint8Array}>}
 */
async function rollFile(registrar, lines) {
  const ordered = [...lines].sort((a, b) => compareBytes(a.pk, b.pk));
  const rollHash = await sha256(
    ...ordered.map((line) => concat(canonicalJson(lineJson(line)), utf8("\n"))),
  );
  const signature = await ed25519Sign(
    registrar.privateKey,
    rollFileMessage(registrar.ballotId, rollHash),
  );
  const text = pythonJson(
    {
      format: ROLL_FORMAT,
      ballot: registrar.ballotId,
      registrar: b64url(registrar.publicRaw),
      lines: ordered.map(lineJson),
      signature: b64url(signature),
    },
    1,
  );
  return { text, rollHash };
}

/**
 * The credentials' public keys of a roll: roll.json, or the server's roll as JSON
 * Lines (GET /api/v1/ballots/{id}/roll), as offline_tokens._roll_keys reads them.
 */
function rollKeys(text) {
  try {
    const value = JSON.parse(text);
    if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      Array.isArray(value.lines)
    ) {
      return value.lines.map((line) => fromB64url(line.pk));
    }
  } catch {
    // not roll.json: read it as JSON Lines
  }
  try {
    return text
      .split(/\r?\n/)
      .filter((line) => line)
      .map((line) => fromB64url(JSON.parse(line).pk));
  } catch {
    throw new FileProblem("roll-unreadable");
  }
}

/**
 * revocation.json: the registrar's signature revoking `revoked` and the replacement's
 * roll line (docs/protocol.md, "Tokens and credentials": a revocation;
 * revocation_file.make).
 */
async function revocationFile(registrar, revoked, replacementLine) {
  const revocationSig = await ed25519Sign(
    registrar.privateKey,
    revocationMessage(registrar.ballotId, revoked),
  );
  if (
    !(await ed25519Verify(
      registrar.publicRaw,
      revocationSig,
      revocationMessage(registrar.ballotId, revoked),
    ))
  ) {
    throw new FileProblem("signature"); // never seen
  }
  return pythonJson(
    {
      format: REVOCATION_FORMAT,
      ballot: registrar.ballotId,
      registrar: b64url(registrar.publicRaw),
      revoked: b64url(revoked),
      revocation_sig: b64url(revocationSig),
      replacement: lineJson(replacementLine),
    },
    1,
  );
}

// --- Letters (documents/token_letters.py) --------------------------------------------------

/**
 * The vote link: the token in the fragment, which never reaches the server
 * (token_letters.vote_link).
 */
function voteLink(baseUrl, ballotId, token) {
  return `${baseUrl}/vote/${ballotId}#t=${token}`;
}

/** Text as Jinja's autoescape (markupsafe) writes it into HTML. */
function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll(">", "&gt;")
    .replaceAll("<", "&lt;")
    .replaceAll("'", "&#39;")
    .replaceAll('"', "&#34;");
}

/**
 * letters.html: the server's own letter template, rendered for this ballot with markers
 * in place of each letter's city, country, token, fingerprint, link and QR code (no
 * secret crosses), filled here, one page per letter.
 * @param {{head: string, letter: string, tail: string, markers: Record<string, string>}} parts
 * @param {{baseUrl: string, ballotId: string}} ballot
 * @param {{city: string, country: string, token: string, fingerprint: string}[]} letters
 * @param {(link: string) => string} qr  the QR code of a link, as SVG markup
 */
export function lettersHtml(parts, ballot, letters, qr) {
  const pages = letters.map((letter) => {
    const link = voteLink(ballot.baseUrl, ballot.ballotId, letter.token);
    const values = {
      city: escapeHtml(letter.city),
      country: escapeHtml(letter.country),
      token: escapeHtml(letter.token),
      fingerprint: escapeHtml(letter.fingerprint),
      link: escapeHtml(link),
      qr: qr(link),
    };
    let text = parts.letter;
    for (const [name, marker] of Object.entries(parts.markers))
      text = text.replaceAll(marker, values[name]);
    return text;
  });
  return parts.head + pages.join("") + parts.tail;
}

/** A cell as documents/csv_safe.spreadsheet_safe writes a person's text (no formula). */
function spreadsheetSafe(cell) {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** A cell as Python's csv.writer (excel dialect, minimal quoting) writes it. */
function csvCell(cell) {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/**
 * tokens.csv, for mail merge, as token_letters.letters_csv writes it: the server's head
 * (byte-order mark and header) and one row per letter, from the server's row with
 * markers in place of the cells (its contact cells are empty, as the command's are).
 * @param {{head: string, row: string, markers: Record<string, string>}} parts
 */
export function tokensCsv(parts, ballot, letters) {
  const rows = letters.map((letter) => {
    const values = {
      city: csvCell(spreadsheetSafe(letter.city)),
      country: csvCell(spreadsheetSafe(letter.country)),
      fingerprint: csvCell(letter.fingerprint),
      token: csvCell(letter.token),
      link: csvCell(voteLink(ballot.baseUrl, ballot.ballotId, letter.token)),
    };
    let text = parts.row;
    for (const [name, marker] of Object.entries(parts.markers))
      text = text.replaceAll(marker, values[name]);
    return text;
  });
  return parts.head + rows.join("");
}

/** One CSV line's cells (quoted cells with doubled quotes, as csv.writer writes them). */
function csvCells(line) {
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/** A spreadsheet-safe cell back to the person's text. */
function unsafe(cell) {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/**
 * The cities of a kept tokens.csv, with their credentials' fingerprints: a city that lost
 * its letter is found by name here. Reads the header, so extra columns do not matter.
 * @returns {{city: string, country: string, fingerprint: string}[]}
 */
export function lettersOfCsv(text) {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((line) => line);
  if (lines.length < 2) throw new FileProblem("letters-empty");
  const header = csvCells(lines[0]);
  const at = (name) => header.indexOf(name);
  if (at("city") < 0 || at("credential_fingerprint") < 0) throw new FileProblem("letters-format");
  return lines.slice(1).map((line) => {
    const cells = csvCells(line);
    return {
      city: unsafe(cells[at("city")] ?? ""),
      country: unsafe(at("country") < 0 ? "" : (cells[at("country")] ?? "")),
      fingerprint: cells[at("credential_fingerprint")] ?? "",
    };
  });
}

// --- The two journeys ------------------------------------------------------------------------

/**
 * Everything `inmc-vote tokens issue` writes, for these cities in this order: registrar.key,
 * roll.json, letters.html and tokens.csv, and the roll's hash. `nextSeed` gives each
 * new seed, the registrar's first (fresh randomness unless a test fixes it).
 * @param {{ballotId: string, baseUrl: string}} ballot
 * @param {{name: string, country: string}[]} cities
 * @param {{letters: object, csv: object}} templates  the server's parts (lettersHtml, tokensCsv)
 * @param {(link: string) => string} qr
 * @param {() => Uint8Array} [nextSeed]
 */
export async function issueFiles(ballot, cities, templates, qr, nextSeed = randomSeed) {
  if (cities.length === 0) throw new FileProblem("no-cities");
  const registrar = await registrarOf(ballot.ballotId, nextSeed());
  const letters = [];
  const lines = [];
  for (const city of cities) {
    const one = await issueCredential(registrar, nextSeed());
    letters.push({
      city: city.name,
      country: city.country,
      token: one.token,
      fingerprint: one.fingerprint,
    });
    lines.push(one.line);
  }
  const roll = await rollFile(registrar, lines);
  return {
    registrarKey: registrarKeyFile(registrar),
    roll: roll.text,
    rollHash: b64url(roll.rollHash),
    lettersHtml: lettersHtml(templates.letters, ballot, letters, qr),
    tokensCsv: tokensCsv(templates.csv, ballot, letters),
    letters,
  };
}

/**
 * What `inmc-vote tokens revoke` writes for the credential with `lostFingerprint`:
 * revocation.json, and the replacement's letter and CSV row, addressed to the city.
 * @param {{ballotId: string, baseUrl: string}} ballot
 * @param {string} registrarKeyText  the kept registrar.key
 * @param {string} rollText  the kept roll.json, or the server's roll
 * @param {{city: string, country: string, fingerprint: string}} lost
 */
export async function revokeFiles(
  ballot,
  registrarKeyText,
  rollText,
  lost,
  templates,
  qr,
  nextSeed = randomSeed,
) {
  const registrar = await readRegistrarKey(registrarKeyText, ballot.ballotId);
  const wanted = readable.grouped(readable.normalise(lost.fingerprint));
  let found = null;
  for (const pk of rollKeys(rollText)) {
    if ((await fingerprint(pk)) === wanted) {
      found = pk;
      break;
    }
  }
  if (found === null) throw new FileProblem("not-on-roll");
  const one = await issueCredential(registrar, nextSeed());
  const letter = {
    city: lost.city,
    country: lost.country,
    token: one.token,
    fingerprint: one.fingerprint,
  };
  return {
    revokedFingerprint: wanted,
    revocation: await revocationFile(registrar, found, one.line),
    lettersHtml: lettersHtml(templates.letters, ballot, [letter], qr),
    tokensCsv: tokensCsv(templates.csv, ballot, [letter]),
    letter,
  };
}
