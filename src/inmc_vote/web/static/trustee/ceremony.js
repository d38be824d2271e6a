// The trustee's side of the key ceremony in the browser (docs/protocol.md, "Trustees"),
// mirroring inmc_vote/domain/protocol/ceremony.py and threshold.py byte for byte:
// the certificate (step 1), the deal (step 2: Pedersen's VSS, Eurocrypt 1991, as in
// Belenios' specification, "Polynomials"), the check of the shares received and the
// trustee key with its Schnorr proof, or a complaint (step 3, Belenios "Vinputs",
// "Voutputs"). Scalars and points go through ../ballot/group.js (noble's Fn and point
// API), the private channel through ./hpke.js (RFC 9180), signatures through
// ./messages.js. The readers check what the server relays as `read_certificate` and
// `read_deal` do, in the same words.

import { b64url, concat, u32, utf8 } from "../ballot/bytes.js";
import { labelled } from "../ballot/encoding.js";
import * as group from "../ballot/group.js";
import { seal, open, x25519Public } from "./hpke.js";
import { x25519 } from "@noble/curves/ed25519.js";
import {
  Reader,
  hash,
  isIndex,
  lotCommitment,
  messageHash,
  sign,
  signingPublic,
} from "./messages.js";

const CERTIFICATE = "inmc-vote/v2/certificate";
const DEAL = "inmc-vote/v2/deal";
export const KEY = "inmc-vote/v2/trustee-key";
export const COMPLAINT = "inmc-vote/v2/complaint";
export const KEY_POK_LABEL = "inmc-vote/v2/key-pok";
const SHARE_LABEL = "inmc-vote/v2/share";
export const SHARE_CIPHERTEXT_BYTES = 32 + 32 + 16; // enc, the sealed scalar, the tag
export const MAX_NAME = 200;
const MAX_REASON = 500;

const COMMON = ["format", "ballot", "ceremony", "trustee", "signature"];
const CERTIFICATE_FIELDS = new Set([
  ...COMMON,
  "name",
  "signing_key",
  "encryption_key",
  "lot_commitment",
]);
const DEAL_FIELDS = new Set([...COMMON, "certificates", "commitments", "shares"]);
const WORDS = {
  [CERTIFICATE]: "certificate",
  [DEAL]: "deal",
  [KEY]: "key",
  [COMPLAINT]: "complaint",
};

/** A ceremony message that fails a check (ceremony.CeremonyError, the same sentence). */
export class CeremonyError extends Error {
  constructor(trustee, what, check) {
    super(trustee !== null ? `trustee ${trustee}'s ${what}: ${check}` : `a ${what}: ${check}`);
    this.name = "CeremonyError";
    this.trustee = trustee;
    this.what = what;
    this.check = check;
  }
}

// --- Pedersen's VSS over Z_L (protocol.md, "Trustees"; threshold.py) ----------------------

/** t uniform coefficients (Belenios, "Polynomials"), as bigints. */
export function randomPolynomial(t) {
  if (!Number.isInteger(t) || t < 1) throw new Error("a polynomial has t ≥ 1 coefficients");
  return Array.from({ length: t }, () => group.randomScalar());
}

function indexScalar(x) {
  if (!Number.isInteger(x) || x < 1) throw new Error("trustee indices are integers from 1");
  return BigInt(x);
}

/** f(x) by Horner's rule (threshold.evaluate; Belenios, "Polynomials"): the share s_{j,x}. */
export function evaluate(coefficients, x) {
  const at = indexScalar(x);
  let result = 0n;
  for (const a of [...coefficients].reverse()) result = group.sAdd(group.sMul(result, at), a);
  return result;
}

/** C_k = a_k·G (threshold.commitments; Belenios' `coefexps`). */
export function commitments(coefficients) {
  return coefficients.map((a) => group.baseMul(a));
}

/** The sum of valid points, null for the identity (threshold.sum_or_identity). */
function sumOrIdentity(points) {
  let result = null;
  for (const p of points) {
    if (result === null) {
      result = p;
      continue;
    }
    try {
      result = group.add(result, p);
    } catch (error) {
      if (!(error instanceof group.GroupError)) throw error;
      result = null; // both are points of the group: only P + Q = identity fails
    }
  }
  return result;
}

/** Σ_k x^k·C_k = f(x)·G, null for the identity (threshold._evaluate_in_exponent). */
function evaluateInExponent(points, x) {
  const at = indexScalar(x);
  let power = 1n;
  const terms = [];
  for (const c of points) {
    terms.push(group.mul(power, c));
    power = group.sMul(power, at);
  }
  return sumOrIdentity(terms);
}

/** s·G = Σ_k l^k·C_k (threshold.share_matches; Belenios, "Vinputs"). */
function shareMatches(share, l, points) {
  const expected = evaluateInExponent(points, l);
  if (share === 0n) return expected === null;
  return expected !== null && b64url(group.baseMul(share)) === b64url(expected);
}

// --- hashes over a phase, the HPKE info, the proof's statement ------------------------------

function phaseHash(hashes) {
  return hash(u32(hashes.length), ...hashes);
}

function inOrder(items, what) {
  const ordered = [...items].sort((a, b) => a.trustee - b.trustee);
  ordered.forEach((item, i) => {
    if (item.trustee !== i + 1) throw new Error(`expected the ${what} of trustees 1 … n, one each`);
  });
  return ordered;
}

/** H_c = SHA-256(u32(n) ‖ message_hash of each certificate in index order) (protocol.md, "Trustees", 2). */
const certificatesHash = (certs) =>
  phaseHash(inOrder(certs, "certificates").map((c) => c.hash));
/** H_d, as H_c over the deals (protocol.md, "Trustees", 3). */
const dealsHash = (deals) => phaseHash(inOrder(deals, "deals").map((d) => d.hash));

/** info = labelled("inmc-vote/v2/share") ‖ ballot ‖ 0 ‖ u32(ceremony) ‖ u32(j) ‖ u32(l) (protocol.md, "Trustees", 2). */
function shareInfo(ballot, ceremony, dealer, recipient) {
  return concat(
    labelled(SHARE_LABEL),
    utf8(ballot),
    Uint8Array.of(0),
    u32(ceremony),
    u32(dealer),
    u32(recipient),
  );
}

/** The key's proof statement: ballot, u32(ceremony), u32(l), X_l (protocol.md, "Trustees", 3). */
function pokStatement(ballot, ceremony, trustee, key) {
  return [utf8(ballot), u32(ceremony), u32(trustee), key];
}

/**
 * Schnorr's proof of knowledge of x with X = x·G (proofs.schnorr_prove; Belenios,
 * "Trustee keys"): A = w·G, c = Hs(label, context…, A), s = w + c·x.
 */
function schnorrProve(label, context, secret, nonce) {
  const w = nonce ?? group.randomScalar();
  const commitment = group.baseMul(w);
  const c = group.hashScalar(label, ...context, commitment);
  return { commitment, response: group.sAdd(w, group.sMul(c, secret)) };
}

// --- a trustee's messages -----------------------------------------------------------------

/**
 * Step 1 (protocol.md, "Trustees", 1; Belenios "Certificates"): the public keys, self-signed.
 * @param {{ballot: string, ceremony: number, trustee: number, name: string,
 *   signingSeed: Uint8Array, encryptionPrivate: Uint8Array, lotRho: Uint8Array}} args
 */
export async function makeCertificate({
  ballot,
  ceremony,
  trustee,
  name,
  signingSeed,
  encryptionPrivate,
  lotRho,
}) {
  return sign(
    {
      format: CERTIFICATE,
      ballot,
      ceremony,
      trustee,
      name,
      signing_key: b64url(await signingPublic(signingSeed)),
      encryption_key: b64url(x25519Public(encryptionPrivate)),
      lot_commitment: b64url(lotCommitment(lotRho)),
    },
    signingSeed,
  );
}

/**
 * Step 2 (protocol.md, "Trustees", 2; Belenios "Polynomials"): the commitments to the
 * polynomial `coefficients` and its value at each l, sealed with HPKE to T_l.
 * `ephemerals` (one X25519 key per share) only for tests.
 */
export async function makeDeal({
  ballot,
  ceremony,
  trustee,
  certificates,
  threshold,
  signingSeed,
  coefficients,
  ephemerals,
}) {
  const ordered = inOrder(certificates, "certificates");
  if (!(threshold >= 1 && threshold <= ordered.length)) {
    throw new Error("the threshold is between 1 and the number of trustees");
  }
  if (coefficients.length !== threshold) throw new Error("a deal's polynomial has t coefficients");
  const shares = [];
  for (const [i, certificate] of ordered.entries()) {
    const l = certificate.trustee;
    const sealed = await seal(
      certificate.encryptionKey,
      shareInfo(ballot, ceremony, trustee, l),
      group.scalarBytes(evaluate(coefficients, l)),
      ephemerals?.[i],
    );
    shares.push({ to: l, ciphertext: b64url(sealed) });
  }
  return sign(
    {
      format: DEAL,
      ballot,
      ceremony,
      trustee,
      certificates: b64url(certificatesHash(ordered)),
      commitments: commitments(coefficients).map(b64url),
      shares,
    },
    signingSeed,
  );
}

/** The scalar f_j(l) sealed for `recipient` (ceremony.open_share), not yet checked. */
async function openShare(deal, { ballot, ceremony, recipient, encryptionPrivate }) {
  const what = `the share for trustee ${recipient}`;
  let plain;
  try {
    plain = await open(
      deal.shares[recipient - 1],
      encryptionPrivate,
      shareInfo(ballot, ceremony, deal.trustee, recipient),
    );
  } catch {
    throw new CeremonyError(deal.trustee, "deal", `${what} does not decrypt`);
  }
  try {
    return group.scalar(plain);
  } catch {
    throw new CeremonyError(deal.trustee, "deal", `${what} is not a scalar`);
  }
}

/** openShare, then s·G = Σ_k l^k·C_k (ceremony.share_checked; Belenios "Vinputs"). */
export async function shareChecked(deal, args) {
  const share = await openShare(deal, args);
  if (!shareMatches(share, args.recipient, deal.commitments)) {
    throw new CeremonyError(
      deal.trustee,
      "deal",
      `the share for trustee ${args.recipient} does not match its commitments`,
    );
  }
  return share;
}

/** x_l = Σ_j f_j(l), every share checked (ceremony.secret_share; Belenios "Voutputs"). */
async function secretShare({ ballot, ceremony, trustee, deals, encryptionPrivate }) {
  let x = 0n;
  for (const deal of inOrder(deals, "deals")) {
    x = group.sAdd(
      x,
      await shareChecked(deal, { ballot, ceremony, recipient: trustee, encryptionPrivate }),
    );
  }
  return x;
}

/**
 * Step 3 (protocol.md, "Trustees", 3; ceremony.make_key): the trustee key X_l with its
 * proof of knowledge, or a complaint about the first dealer whose share fails.
 * @returns {Promise<{message: object, share: bigint|null}>}
 */
export async function makeKey({
  ballot,
  ceremony,
  trustee,
  deals,
  encryptionPrivate,
  signingSeed,
  nonce,
}) {
  let x;
  try {
    x = await secretShare({ ballot, ceremony, trustee, deals, encryptionPrivate });
  } catch (failure) {
    if (!(failure instanceof CeremonyError) || failure.trustee === null) throw failure;
    const message = await makeComplaint({
      ballot,
      ceremony,
      trustee,
      about: failure.trustee,
      reason: failure.check,
      signingSeed,
    });
    return { message, share: null };
  }
  const verificationKey = group.baseMul(x);
  const proof = schnorrProve(
    KEY_POK_LABEL,
    pokStatement(ballot, ceremony, trustee, verificationKey),
    x,
    nonce,
  );
  const message = await sign(
    {
      format: KEY,
      ballot,
      ceremony,
      trustee,
      deals: b64url(dealsHash(deals)),
      verification_key: b64url(verificationKey),
      pok: {
        commitment: b64url(proof.commitment),
        response: b64url(group.scalarBytes(proof.response)),
      },
    },
    signingSeed,
  );
  return { message, share: x };
}

/** A complaint about trustee `about`'s deal (ceremony.make_complaint). */
async function makeComplaint({ ballot, ceremony, trustee, about, reason, signingSeed }) {
  const cut = [...reason].slice(0, MAX_REASON).join("");
  return sign({ format: COMPLAINT, ballot, ceremony, trustee, about, reason: cut }, signingSeed);
}

// --- readers of what the server relays (ceremony.read_certificate, read_deal) ---------------

class MessageReader extends Reader {
  constructor(obj, form, fields) {
    super((check) => {
      throw new CeremonyError(this.trustee, this.what, check);
    });
    this.what = WORDS[form];
    this.trustee = null;
    if (obj && typeof obj === "object" && isIndex(obj.trustee) && obj.trustee >= 1)
      this.trustee = obj.trustee;
    this.obj = this.fields(obj, form, fields);
  }

  expect(name, value, words) {
    const got = this.obj[name];
    if (typeof got !== typeof value || got !== value) this.fail(`it is for ${words}`);
  }

  header(ballot, ceremony, n, trustee) {
    this.expect("ballot", ballot, `another ballot than ${ballot}`);
    this.expect("ceremony", ceremony, `another ceremony than number ${ceremony}`);
    const index = this.trustee;
    if (index === null || (n !== null && index > n)) {
      this.trustee = null;
      this.fail(n ? `its trustee index is not one of 1 to ${n}` : "it has no index");
    }
    if (trustee !== null && index !== trustee) this.fail(`it was expected from trustee ${trustee}`);
    return index;
  }
}

/** An X25519 key others can seal to: not of small order (ceremony._encryption_key_usable). */
function encryptionKeyUsable(raw) {
  try {
    x25519.getSharedSecret(concat(new Uint8Array(31), Uint8Array.of(0x40)), raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * Step 1's check (ceremony.read_certificate): fields, ballot, ceremony, index, the name
 * the organiser gave (when given), the three keys and the self-signature.
 */
export async function readCertificate(obj, { ballot, ceremony, trustee, name = null }) {
  const r = new MessageReader(obj, CERTIFICATE, CERTIFICATE_FIELDS);
  r.header(ballot, ceremony, null, trustee);
  const givenName = r.text(r.obj.name, MAX_NAME, "its name");
  if (name !== null && givenName !== name) r.fail(`its name is not "${name}"`);
  const signingKey = r.raw(r.obj.signing_key, 32, "its signing key");
  const encryptionKey = r.raw(r.obj.encryption_key, 32, "its encryption key");
  if (!encryptionKeyUsable(encryptionKey)) r.fail("its encryption key is of small order");
  const lot = r.raw(r.obj.lot_commitment, 32, "its lot commitment");
  await r.signedBy(r.obj, signingKey, "by its signing key");
  return {
    ballot,
    ceremony,
    trustee,
    name: givenName,
    signingKey,
    encryptionKey,
    lotCommitment: lot,
    hash: messageHash(r.obj),
    message: r.obj,
  };
}

function checkCertificates(certificates) {
  const ordered = inOrder(certificates, "certificates");
  for (const [attribute, words] of [
    ["signingKey", "signing"],
    ["encryptionKey", "encryption"],
  ]) {
    const seen = new Map();
    for (const c of ordered) {
      const value = b64url(c[attribute]);
      if (seen.has(value))
        throw new CeremonyError(
          c.trustee,
          "certificate",
          `its ${words} key is trustee ${seen.get(value)}'s`,
        );
      seen.set(value, c.trustee);
    }
  }
  return ordered;
}

/**
 * Step 2's check (ceremony.read_deal): fields, ballot, ceremony, index, the certificates'
 * hash, t commitments that are points, one sealed share of the right size per trustee in
 * order, and the dealer's signature.
 */
export async function readDeal(obj, { ballot, ceremony, certificates, threshold, trustee = null }) {
  const ordered = checkCertificates(certificates);
  const n = ordered.length;
  if (!(threshold >= 1 && threshold <= n))
    throw new Error("the threshold is between 1 and the number of trustees");
  const r = new MessageReader(obj, DEAL, DEAL_FIELDS);
  const j = r.header(ballot, ceremony, n, trustee);
  if (
    b64url(r.raw(r.obj.certificates, 32, "its certificates hash")) !==
    b64url(certificatesHash(ordered))
  ) {
    r.fail("it was made for other certificates than the ones in");
  }
  const listed = r.obj.commitments;
  if (!Array.isArray(listed) || listed.length !== threshold) {
    r.fail(`it does not have ${threshold} commitments (one per coefficient)`);
  }
  const points = listed.map((c, k) => r.point(c, `commitment ${k}`));
  const shares = r.obj.shares;
  if (!Array.isArray(shares) || shares.length !== n)
    r.fail(`it does not have ${n} shares (one per trustee)`);
  const sealed = [];
  shares.forEach((share, i) => {
    const l = i + 1;
    const keys =
      share && typeof share === "object" && !Array.isArray(share)
        ? Object.keys(share).sort().join(",")
        : "";
    if (keys !== "ciphertext,to") r.fail(`share ${l} is not {to, ciphertext}`);
    if (r.index(share.to, n, `share ${l}'s recipient`) !== l)
      r.fail(`share ${l} is addressed to trustee ${share.to}`);
    sealed.push(r.raw(share.ciphertext, SHARE_CIPHERTEXT_BYTES, `the share for trustee ${l}`));
  });
  await r.signedBy(r.obj, ordered[j - 1].signingKey, "by its certificate's signing key");
  return {
    ballot,
    ceremony,
    trustee: j,
    commitments: points,
    shares: sealed,
    hash: messageHash(r.obj),
    message: r.obj,
  };
}
