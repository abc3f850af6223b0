"""The domain layer: Graph objects, their rules and state transitions (no HTTP, no SQL)."""
