"""The audit bundle: its export from the database (`export`) and the standalone verifier
(`verify`), which needs nothing but the bundle, the standard library, `cryptography`
and the pure protocol and counting code of `inmc_vote.domain`."""
