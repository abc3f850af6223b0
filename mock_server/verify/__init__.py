"""Contract verification: the operation index, request verdicts, the journaling middleware, `graphmock verify`."""
