// A trustee's decryption share of a round's mixed list (docs/protocol.md, "Decryption"),
// mirroring domain/protocol/decryption.py's make_decryption and tools/mixing.py's
// make_decryption: D_i = x_l·alpha_i with Chaum and Pedersen's proof (Crypto 1992;
// Belenios' specification, "Partial decryptions") that log_G X_l = log_alpha_i D_i, the
// list's hash (protocol.md, "Mixing") and the round's lot reveal (protocol.md, "Lot
// seed"), signed. Scalars and points through ../ballot/group.js only.

import { b64url, u32, u64 } from "../ballot/bytes.js";
import { labelled } from "../ballot/encoding.js";
import * as group from "../ballot/group.js";
import { hash, lotReveal, sign, strictB64url } from "./messages.js";

export const FORMAT = "inmc-vote/v2/decryption";
const PROOF_LABEL = "inmc-vote/v2/decryption";
const LIST_LABEL = "inmc-vote/v2/ciphertexts";

/**
 * list_hash = SHA-256(labelled("inmc-vote/v2/ciphertexts") ‖ u64(N) ‖ alpha_1 ‖ beta_1 ‖ …)
 * (protocol.md, "Mixing"; shuffle.list_hash).
 * @param {Array<[Uint8Array, Uint8Array]>} cts
 */
export function listHash(cts) {
  const parts = [labelled(LIST_LABEL), u64(cts.length)];
  for (const [alpha, beta] of cts) {
    if (alpha.length !== 32 || beta.length !== 32)
      throw new Error("a ciphertext is two 32-byte strings");
    parts.push(alpha, beta);
  }
  return hash(...parts);
}

/** [alpha, beta] as two 32-byte strings (mixing.read_ciphertext). */
export function readCiphertext(value) {
  if (!Array.isArray(value) || value.length !== 2)
    throw new Error("a ciphertext is a list [alpha, beta]");
  const [alpha, beta] = value.map(strictB64url);
  if (alpha.length !== 32 || beta.length !== 32)
    throw new Error("a ciphertext's alpha and beta are 32 bytes each");
  return [alpha, beta];
}

/** The JSON Lines of GET .../mix/input (mixing.read_list_lines). */
export function readListLines(text) {
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => readCiphertext(JSON.parse(line)));
}

/**
 * Chaum–Pedersen (proofs.chaum_pedersen_prove): A1 = w·G, A2 = w·B,
 * c = Hs(label, context…, A1, A2), s = w + c·x.
 */
function chaumPedersenProve(label, context, secret, base, nonce) {
  const w = nonce ?? group.randomScalar();
  const a1 = group.baseMul(w);
  const a2 = group.mul(w, base);
  const c = group.hashScalar(label, ...context, a1, a2);
  return { commitments: [a1, a2], response: group.sAdd(w, group.sMul(c, secret)) };
}

/**
 * Trustee l's decryption message for `cts` (decryption.make_decryption).
 * @param {{ballot: string, round: number, trustee: number, manifestHash: Uint8Array,
 *   share: bigint, verificationKey: Uint8Array, ciphertexts: Array<[Uint8Array, Uint8Array]>,
 *   lotRho: Uint8Array, signingSeed: Uint8Array, nonces?: bigint[]}} args
 */
export async function makeDecryption({
  ballot,
  round,
  trustee,
  manifestHash,
  share,
  verificationKey,
  ciphertexts,
  lotRho,
  signingSeed,
  nonces,
}) {
  if (b64url(group.baseMul(share)) !== b64url(verificationKey)) {
    throw new Error("the key share does not match the verification key");
  }
  if (nonces && nonces.length !== ciphertexts.length) throw new Error("one nonce per ciphertext");
  const factors = ciphertexts.map(([alpha], i) => {
    const d = group.mul(share, alpha);
    // the statement: mh, u32(l), X_l, alpha_i, D_i (protocol.md, "Decryption")
    const context = [manifestHash, u32(trustee), verificationKey, alpha, d];
    const proof = chaumPedersenProve(PROOF_LABEL, context, share, alpha, nonces?.[i]);
    return {
      factor: b64url(d),
      proof: {
        commitment: proof.commitments.map(b64url),
        response: b64url(group.scalarBytes(proof.response)),
      },
    };
  });
  return sign(
    {
      format: FORMAT,
      ballot,
      round,
      trustee,
      input: b64url(listHash(ciphertexts)),
      factors,
      lot_reveal: b64url(lotReveal(lotRho, round)),
    },
    signingSeed,
  );
}
