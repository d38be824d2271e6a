"""The only write path, and the reads the web and the tools need, by what each function is.

- `actions/`: one public function per thing a person or the clock does. Each takes the
  `Database`, opens one transaction, checks the rules of `domain/`, writes, and records
  the action in the ballot's event log in the same transaction, so a refused action
  leaves nothing behind (as Zulip's `actions`).
- `steps/`: pieces of an action that run inside its transaction and take its
  `AsyncSession` (the event log, the keyring, the state, freezing, sealing, tallying,
  manifests, the clock's catch-up). They never commit.
- `queries/`: reads, each in its own short read transaction; they write nothing.
- `security.py` (passwords, API keys, signed links, sealing at rest) and `actors.py`
  (who is written in the event log) serve all three.

Imports go actions → steps, queries; queries → steps; steps → steps only.
"""
