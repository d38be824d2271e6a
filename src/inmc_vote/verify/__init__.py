"""The offline verifier: `inmc-vote verify BUNDLE` re-checks a ballot from its audit
bundle alone, with the standard library, `cryptography` and the protocol and counting
code of `inmc_vote.domain` (nothing of the web service or its database).

Read it in this order: `run` (the order of work), `manifests`, `roll`, `events`,
`ceremony` (the trustees' key), `board_pass` and `worker` (one streamed pass over each
round's board: the ballots and their proofs), `rounds` (each round's checks, in the
order of its steps), `mix` (the shuffles), `decryptions` (the trustees' decryptions,
the votes, the lot), `growth` (OLD NEW), `receipts`; `report` is what it prints. The ZIP's
exact bytes are `domain/protocol/bundle_zip.py`, shared with the export."""

from inmc_vote.verify.report import Check, Report
from inmc_vote.verify.run import verify

__all__ = ["Check", "Report", "verify"]
