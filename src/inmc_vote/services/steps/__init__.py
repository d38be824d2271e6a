"""Steps inside an action's transaction: each takes its `AsyncSession` and never commits."""
