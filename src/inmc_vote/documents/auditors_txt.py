"""AUDITORS.txt: what each part of a bundle is and how to check it, in plain words."""

from __future__ import annotations

from inmc_vote.documents.verifier_zipapp import PIP_ARGUMENTS, Verifier, served

TEXT = """\
Audit bundle of ballot {ballot} (format inmc-vote/bundle/v1)
==========================================================

This file proves every step of the ballot, from the roll of voting credentials to the
winner, to anyone who has it. You need nothing else: not the server, not the
organiser's word.

Check it
--------
The verifier is one file, {verifier}, served by the server with its SHA-256.
It needs Python 3.11 or later and two packages from the public index:

    curl -fO {base}/verifier/{verifier}
    curl -fO {base}/verifier/SHA256SUMS
    sha256sum -c SHA256SUMS          (macOS: shasum -a 256 -c SHA256SUMS;
                                      Windows: Get-FileHash {verifier})
    python3 -m pip install {requirements}
    python3 {verifier} {filename}

SHA256SUMS must say "{verifier}: OK". This server checks its bundles with
that very verifier (the audit page shows its own run); when it exported this bundle,
the verifier's SHA-256 was
    {sha256}
The .pyz file is a ZIP of readable Python source: unzip -l lists it, and you can read
every line it runs before you run it.

One line per check says what it counted and whether it passed; the exit status is 0
only if every check passed. Add --json for a machine-readable report.

First compare the fingerprint it prints with the one the organiser announced
(and that the voting page showed):
{fingerprints}

During voting, keep each bundle you download, and check that the next one only adds
to it (nothing recorded was ever taken back):
    python3 {verifier} OLDER.zip NEWER.zip

A voter can check their receipt against the bundle:
    python3 {verifier} {filename} --receipt receipt.json

What is in it
-------------
bundle.json          how far this bundle goes: the event log's and each round's board
                     count and last hash, whether each round is sealed and tallied.
bundle.sig           the authority's signature of bundle.json. Keep both: they prove
                     what the server had recorded at that time.
events.jsonl         the ballot's event log (every action, who, when), hash-chained.
                     It records lost tokens: each revocation and its replacement,
                     signed by the registrar.
roll.jsonl           the roll fixed when the tokens were issued: one credential public
                     key per eligible city, each signed by the registrar. Its SHA-256
                     is the manifest's roll hash. It names no city.
round-N/manifest.json  what round N is (candidates, rules, keys, roll hash, the
                     trustees with their keys and lot commitments), the exact bytes;
                     its SHA-256 is the fingerprint.
round-N/manifest.sig the authority's signature of the manifest.
round-N/board.jsonl  every ballot received, in order, encrypted to the trustees'
                     election key and signed by its credential; each entry's hash
                     chains it to the previous one; its tracker is the ballot's hash.
round-N/seal.json    the authority's signature of the board's count and last hash at
                     closing (once the round is closed).
round-N/shuffle-K.json  trustee shuffle K, as the trustee sent it: the board's
                     ciphertexts (or shuffle K-1's) re-encrypted in a secret order,
                     with the proof that they hold the same votes.
round-N/decryption-L.json  trustee L's share of the decryption of the last shuffle,
                     with a proof for each ciphertext and its lot reveal (once the
                     results are published).
round-N/tally.json   the tally record (once the results are published): the mix's
                     input, every shuffle and decryption by hash, the lot seed, the
                     votes' count and hash, and the result with every round of the
                     count. tally.sig is the authority's signature of it.
round-N/votes.jsonl  the decrypted votes in the mixed order, attached to no ballot:
                     each vote, and counted, blank, or invalid with the reason.
round-N/result.txt   the result in words, for people: the proof is tally.json.

How the checks work
-------------------
Every byte that is hashed or signed is defined in the protocol (docs/protocol.md and
docs/audit.md in the inmc-vote source). No one holds a key that decrypts a ballot
alone: the trustees share it. The verifier checks every shuffle's proof, every
decryption's proofs, combines the decryptions again, judges each vote again, redoes
the count with the same counting code as the server, and redoes any draw by lot from
the seed the sealed board and the trustees' reveals give, each reveal against the
commitment the manifest published before anyone voted.
"""


def auditors_text(
    ballot_id: str,
    fingerprints: dict[int, str],
    verifier: Verifier | None = None,
    base_url: str = "",
) -> str:
    """`verifier` is the one the server serves and runs (by default, the one built from
    this very source); `base_url` the server's address, for the download commands."""
    verifier = verifier or served()
    listed = "\n".join(f"    round {n}: {short}" for n, short in sorted(fingerprints.items()))
    return TEXT.format(
        ballot=ballot_id,
        filename=f"inmc-vote-{ballot_id}-audit.zip",
        fingerprints=listed,
        verifier=verifier.filename,
        sha256=verifier.sha256,
        requirements=PIP_ARGUMENTS,
        base=base_url.rstrip("/") or "https://THIS-SERVER",
    )
