// The ballot of protocol v2 in the browser: the vote's point ElGamal-encrypted to the
// election key Y, a proof of knowledge of the randomness, the credential's signature, and
// the tracker. Byte for byte as inmc_vote/domain/protocol/ballot.py
// (docs/protocol.md, "The ballot").

import { asBytes, b64url, concat, equalBytes, fromB64url, sha256 } from "./bytes.js";
import { canonicalJson, labelled } from "./encoding.js";
import * as group from "./group.js";
import { embed } from "./payload.js";
import { credentialFromSeed, ed25519Sign, ed25519Verify } from "./signing.js";

export const POK_LABEL = "inmc-vote/v2/ballot-pok";
export const SIGNATURE_LABEL = "inmc-vote/v2/ballot";
const FIELDS = ["alpha", "beta", "credential", "manifest_hash", "pok", "signature", "v"];

/**
 * The proof's challenge (protocol.md, "The ballot"):
 * c = Hs("inmc-vote/v2/ballot-pok", mh, Y, credential, alpha, beta, A).
 * @returns {bigint}
 */
export function challenge(mh, y, credential, alpha, beta, commitment) {
  return group.hashScalar(POK_LABEL, mh, y, credential, alpha, beta, commitment);
}

/**
 * What the credential signs (protocol.md, "The ballot"):
 * labelled("inmc-vote/v2/ballot") ‖ SHA-256(canonical_json(body)).
 * @param {object} body  the ballot without its signature
 * @returns {Promise<Uint8Array>}
 */
export async function signedMessage(body) {
  return concat(labelled(SIGNATURE_LABEL), await sha256(canonicalJson(body)));
}

/**
 * tracker = SHA-256(canonical_json(ballot)) (protocol.md, "The ballot"), the ballot with its signature.
 * @param {object} ballot
 * @returns {Promise<Uint8Array>}  32 bytes (shown as base64url)
 */
export async function trackerOf(ballot) {
  return sha256(canonicalJson(ballot));
}

/**
 * Build a ballot (protocol.md, "The ballot"):
 *     M = embed(payload); alpha = r·G; beta = M + r·Y; A = w·G
 *     c = Hs("inmc-vote/v2/ballot-pok", mh, Y, credential, alpha, beta, A); s = w + c·r
 *     body = {v: 2, manifest_hash, credential, alpha, beta, pok: {commitment: A, response: s}}
 *     signature = Ed25519(credential,
 *                         labelled("inmc-vote/v2/ballot") ‖ SHA-256(canonical_json(body)))
 * r and w are random unless given (tests only: 32-byte little-endian scalars, 0 < r, w < L).
 * @param {{manifestHash: Uint8Array, electionKey: Uint8Array, seed: Uint8Array,
 *   payload: Uint8Array, r?: Uint8Array, w?: Uint8Array}} inputs
 * @returns {Promise<{ballot: object, tracker: Uint8Array, counter: number}>}  the ballot
 *   as the JSON object to POST (byte strings in base64url), its tracker, and the embedding
 *   counter used
 */
export async function buildBallot({ manifestHash, electionKey, seed, payload, r, w }) {
  if (asBytes(manifestHash, "manifest hash").length !== 32) {
    throw new Error("a manifest hash has 32 bytes");
  }
  const y = group.point(asBytes(electionKey, "election key"));
  const rs = r === undefined ? group.randomScalar() : nonZero(group.scalar(r));
  const ws = w === undefined ? group.randomScalar() : nonZero(group.scalar(w));
  const credential = await credentialFromSeed(seed);
  const pk = credential.publicRaw;

  const { point: m, counter } = embed(payload);
  const alpha = group.baseMul(rs);
  const beta = group.add(m, group.mul(rs, y));
  const commitment = group.baseMul(ws);
  const c = challenge(manifestHash, y, pk, alpha, beta, commitment);
  const s = group.sAdd(ws, group.sMul(c, rs));

  const body = {
    v: 2,
    manifest_hash: b64url(manifestHash),
    credential: b64url(pk),
    alpha: b64url(alpha),
    beta: b64url(beta),
    pok: { commitment: b64url(commitment), response: b64url(group.scalarBytes(s)) },
  };
  const signature = await ed25519Sign(credential.privateKey, await signedMessage(body));
  const ballot = { ...body, signature: b64url(signature) };
  return { ballot, tracker: await trackerOf(ballot), counter };
}

function nonZero(s) {
  if (s === 0n) throw new group.GroupError("r and w are not zero");
  return s;
}

/**
 * Check a ballot as the server does (protocol.md, "The ballot"): exactly its fields, points of the group, the
 * proof (s·G = A + c·alpha) and the signature. The page runs it on its own ballot before
 * sending it. Never throws.
 * @param {object} ballot  the JSON object
 * @param {Uint8Array} manifestHash
 * @param {Uint8Array} electionKey
 * @returns {Promise<boolean>}
 */
export async function checkBallot(ballot, manifestHash, electionKey) {
  try {
    if (Object.keys(ballot).sort().join(",") !== FIELDS.join(",") || ballot.v !== 2) return false;
    if (Object.keys(ballot.pok).sort().join(",") !== "commitment,response") return false;
    const mh = fromB64url(ballot.manifest_hash);
    if (!equalBytes(mh, manifestHash)) return false;
    const pk = fromB64url(ballot.credential);
    const alpha = group.point(fromB64url(ballot.alpha));
    const beta = group.point(fromB64url(ballot.beta));
    const commitment = group.point(fromB64url(ballot.pok.commitment));
    const s = group.scalar(fromB64url(ballot.pok.response));
    const c = challenge(mh, group.point(electionKey), pk, alpha, beta, commitment);
    if (!equalBytes(group.baseMul(s), group.add(commitment, group.mul(c, alpha)))) return false;
    const { signature, ...body } = ballot;
    return await ed25519Verify(pk, fromB64url(signature), await signedMessage(body));
  } catch {
    return false;
  }
}
