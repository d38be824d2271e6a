"""The JSON API under /api/v1 (DESIGN.md's interface contract)."""
