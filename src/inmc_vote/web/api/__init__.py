"""The JSON API under /api/v1 (docs/design.md's interface contract)."""
