"""Protocol v1: the exact bytes that are hashed and signed (see docs/protocol.md)."""
