// The verifiable re-encryption shuffle in the browser (docs/protocol.md, "Mixing"),
// mirroring domain/protocol/shuffle.py byte for byte: Terelius and Wikström's proof
// (Africacrypt 2010) as written by Haenni, Locher, Koenig and Dubuis, "Pseudo-code
// algorithms for verifiable re-encryption mix-nets" (FC 2017 workshops): GenShuffle,
// GenPermutation, GenReEncryption, GenPermutationCommitment, GenCommitmentChain and
// GenProof, written additively (their (a_i, b_i) is our (beta_i, alpha_i), pk is Y).
// Scalars and points go through ../ballot/group.js (noble's Fn and point API); the
// independent generators through noble's Elligator 2 map (see `generator`).

import { sha256 } from "@noble/hashes/sha2.js";

import { b64url, concat, fromB64url, u32, u64 } from "../ballot/bytes.js";
import { canonicalJson, labelled } from "../ballot/encoding.js";
import * as group from "../ballot/group.js";
import { listHash, readCiphertext, readListLines } from "./decryption.js";
import { sign } from "./messages.js";
import * as mixgroup from "./mixgroup.js";

export const SHUFFLE_FORMAT = "inmc-vote/v2/shuffle";
const STATEMENT_LABEL = "inmc-vote/v2/shuffle-statement";
const U_LABEL = "inmc-vote/v2/shuffle-u";
const C_LABEL = "inmc-vote/v2/shuffle-c";

/**
 * (h, h_1, …, h_n) for the manifest hash `mh` (shuffle.generators; protocol.md,
 * "Mixing"), encoded: libsodium's from_uniform in noble's terms (./mixgroup.js).
 * @param {Uint8Array} mh
 * @param {number} n
 * @returns {Uint8Array[]}
 */
export function generators(mh, n) {
  return mixgroup.generators(mh, n).map((p) => group.point(p.toBytes()));
}

/** A uniform integer in [0, bound) from the browser's random source (rejection sampling). */
function randomBelow(bound) {
  const limit = Math.floor(0x100000000 / bound) * bound;
  for (;;) {
    const [x] = crypto.getRandomValues(new Uint32Array(1));
    if (x < limit) return x % bound;
  }
}

/** GenPermutation: a uniform permutation of 0..n−1 (Knuth's shuffle). */
function randomPermutation(n) {
  const items = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomBelow(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * GenShuffle: output_i = (alpha_ψ(i) + r'_i·G, beta_ψ(i) + r'_i·Y) (shuffle.shuffle).
 * `permutation` and `randomness` only for tests.
 * @returns {{output: Array<[Uint8Array, Uint8Array]>, secret: {permutation: number[], randomness: bigint[]}}}
 */
export function shuffle(cts, Y, { permutation, randomness } = {}) {
  const n = cts.length;
  if (n === 0) throw new Error("nothing to shuffle: the service never mixes an empty board");
  group.point(Y);
  const psi = permutation ?? randomPermutation(n);
  if ([...psi].sort((a, b) => a - b).some((v, i) => v !== i))
    throw new Error("not a permutation of the positions");
  const rs = randomness ?? Array.from({ length: n }, () => group.randomScalar());
  if (rs.length !== n) throw new Error("one re-encryption scalar per ciphertext");
  const output = psi.map((j, i) => {
    const [alpha, beta] = cts[j]; // GenReEncryption of input ψ(i)
    return [group.add(alpha, group.baseMul(rs[i])), group.add(beta, group.mul(rs[i], Y))];
  });
  return { output, secret: { permutation: psi, randomness: rs } };
}

function total(points) {
  return points.reduce((sum, p) => group.add(sum, p));
}

/** Σ s_i·P_i (shuffle._weighted_sum). */
function weightedSum(scalars, points) {
  return total(scalars.map((s, i) => group.mul(s, points[i])));
}

/** The statement's prefix (protocol.md, "Mixing"), as bytes. */
function prefixBytes(mh, Y, ctsIn, ctsOut, commitments) {
  return concat(
    labelled(STATEMENT_LABEL),
    mh,
    Y,
    listHash(ctsIn),
    listHash(ctsOut),
    u64(commitments.length),
    ...commitments,
  );
}

/**
 * GenProof (shuffle.prove): `draw` gives the random scalars in Python's order: r (by
 * output position), r̂_1..r̂_N, w1..w4, ŵ_1..ŵ_N, w'_1..w'_N; tests pass a fixed source.
 */
export function prove(mh, Y, ctsIn, ctsOut, secret, draw = group.randomScalar) {
  const n = ctsIn.length;
  const { permutation: psi, randomness: rOut } = secret;
  if (n === 0 || ctsOut.length !== n || psi.length !== n || rOut.length !== n || mh.length !== 32) {
    throw new Error("the lists, the secret and the manifest hash do not fit together");
  }
  const gens = generators(mh, n);
  const h = gens[0];
  const hs = gens.slice(1);

  // GenPermutationCommitment: c_ψ(i) = r_ψ(i)·G + h_i
  const commitments = new Array(n);
  const r = new Array(n);
  psi.forEach((j, i) => {
    r[j] = draw();
    commitments[j] = group.add(group.baseMul(r[j]), hs[i]);
  });
  const prefix = prefixBytes(mh, Y, ctsIn, ctsOut, commitments);
  const sU = sha256(prefix);
  const u = Array.from({ length: n }, (_, i) => group.hashScalar(U_LABEL, sU, u32(i + 1)));
  const uPrime = psi.map((j) => u[j]);

  // GenCommitmentChain: ĉ_i = r̂_i·G + u'_i·ĉ_(i−1), ĉ_0 = h
  const chain = [];
  const rHat = [];
  let previous = h;
  for (const ui of uPrime) {
    const ri = draw();
    previous = group.add(group.baseMul(ri), group.mul(ui, previous));
    chain.push(previous);
    rHat.push(ri);
  }

  const [w1, w2, w3, w4] = [draw(), draw(), draw(), draw()];
  const wHat = Array.from({ length: n }, () => draw());
  const wPrime = Array.from({ length: n }, () => draw());
  const t1 = group.baseMul(w1);
  const t2 = group.baseMul(w2);
  const t3 = group.add(group.baseMul(w3), weightedSum(wPrime, hs));
  const t41 = group.sub(
    weightedSum(
      wPrime,
      ctsOut.map((ct) => ct[1]),
    ),
    group.mul(w4, Y),
  );
  const t42 = group.sub(
    weightedSum(
      wPrime,
      ctsOut.map((ct) => ct[0]),
    ),
    group.baseMul(w4),
  );
  const before = [h, ...chain.slice(0, -1)];
  const tHat = before.map((p, i) => group.add(group.baseMul(wHat[i]), group.mul(wPrime[i], p)));
  const statement = sha256(concat(prefix, u64(n), ...chain));
  const c = group.hashScalar(C_LABEL, statement, t1, t2, t3, t41, t42, ...tHat);

  // r̂ = Σ r̂_i·v_i with v_N = 1, v_(i−1) = u'_i·v_i
  let v = 1n;
  let rHatSum = 0n;
  for (let i = n - 1; i >= 0; i--) {
    rHatSum = group.sAdd(rHatSum, group.sMul(rHat[i], v));
    v = group.sMul(uPrime[i], v);
  }
  const rBar = r.reduce((a, b) => group.sAdd(a, b), 0n);
  const rTilde = r.reduce((a, rj, j) => group.sAdd(a, group.sMul(rj, u[j])), 0n);
  const rPrime = rOut.reduce((a, ri, i) => group.sAdd(a, group.sMul(ri, uPrime[i])), 0n);
  const response = (w, x) => b64url(group.scalarBytes(group.sAdd(w, group.sMul(c, x))));
  const points = (list) => list.map(b64url);
  return {
    permutation_commitments: points(commitments),
    chain: points(chain),
    t1: b64url(t1),
    t2: b64url(t2),
    t3: b64url(t3),
    t41: b64url(t41),
    t42: b64url(t42),
    t_hat: points(tHat),
    s1: response(w1, rBar),
    s2: response(w2, rHatSum),
    s3: response(w3, rTilde),
    s4: response(w4, rPrime),
    s_hat: rHat.map((ri, i) => response(wHat[i], ri)),
    s_prime: uPrime.map((ui, i) => response(wPrime[i], ui)),
  };
}

/**
 * The signed shuffle message (tools/mixing.make_shuffle, mixing.build_shuffle).
 * `fixed` ({permutation, randomness, draw}) only for tests.
 */
export async function makeShuffle({
  ballot,
  round,
  trustee,
  index,
  manifestHash,
  electionKey,
  ciphertexts,
  signingSeed,
  fixed = {},
}) {
  const { output, secret } = shuffle(ciphertexts, electionKey, fixed);
  const proof = prove(manifestHash, electionKey, ciphertexts, output, secret, fixed.draw);
  return sign(
    {
      format: SHUFFLE_FORMAT,
      ballot,
      round,
      trustee,
      index,
      input: b64url(listHash(ciphertexts)),
      output: output.map(([alpha, beta]) => [b64url(alpha), b64url(beta)]),
      proof,
    },
    signingSeed,
  );
}

/**
 * The signed shuffle message's exact bytes (tools/mixing.make_shuffle), for callers that
 * send them as they are; `fixed` as for `makeShuffle`.
 * @returns {Promise<{message: object, body: Uint8Array}>}
 */
export async function shuffleAndProve(args, fixed = {}) {
  const message = await makeShuffle({ ...args, fixed });
  return { message, body: canonicalJson(message) };
}

/**
 * Download the round's last list, shuffle it and send the shuffle
 * (tools/mixing.shuffle_round), through `api` ({getBytes(path), postBytes(path, body)},
 * paths under /api/v1/ballots/{id}); the list is checked against the mix's state.
 * @param {{getBytes: (path: string) => Promise<Uint8Array>, postBytes: (path: string, body: Uint8Array) => Promise<any>}} api
 * @param {{trustee: number, signingSeed: Uint8Array}} who
 */
export async function shuffleRound(api, { trustee, signingSeed }) {
  const text = (bytes) => new TextDecoder().decode(bytes);
  const state = JSON.parse(text(await api.getBytes("/mix")));
  if (!state.next.shuffle.includes(trustee)) {
    throw new Error(`You may not shuffle round ${state.round} now.`);
  }
  const round = state.round;
  const manifestBytes = await api.getBytes(`/manifest?round=${round}`);
  const manifest = JSON.parse(text(manifestBytes));
  let cts;
  if (state.shuffles.length) {
    const last = state.shuffles[state.shuffles.length - 1].index;
    const previous = JSON.parse(text(await api.getBytes(`/mix/shuffles/${last}?round=${round}`)));
    cts = previous.output.map(readCiphertext);
  } else {
    cts = readListLines(text(await api.getBytes(`/mix/input?round=${round}`)));
  }
  if (b64url(listHash(cts)) !== state.last_output) {
    throw new Error("The list downloaded is not the one the mix's state names: try again.");
  }
  const { body } = await shuffleAndProve({
    ballot: state.ballot,
    round,
    trustee,
    index: state.next.index,
    manifestHash: sha256(manifestBytes),
    electionKey: group.point(fromB64url(manifest.keys.election)),
    ciphertexts: cts,
    signingSeed,
  });
  return api.postBytes("/mix/shuffles", body);
}
