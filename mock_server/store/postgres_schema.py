"""The PostgreSQL schema, created and migrated when a server starts.

Several servers may start at once on one database: each takes a session
advisory lock for the migration, so exactly one creates the tables and the
others find them. `graphmock_schema` records the applied version; each entry
of MIGRATIONS moves one version forward and never changes once released.

Columns mirror the SQLite store (store/sqlite.py). `data` is `json`, not
`jsonb`: json keeps the text as written, so an object's keys come back in the
order the domain stored them (renders follow that order). Text columns compare
with the "C" collation: the list indexes are walked by status, and byte order
is both cheaper and the same on every server's locale.
"""

from __future__ import annotations

from typing import Any

MIGRATION_LOCK = 0x67726D6D  # "grmm": one graphmock migration at a time per database
ID_LOCK = 0x67726D69  # "grmi": next_id's transaction lock, held until COMMIT
JOURNAL_LOCK = 0x67726D6A  # "grmj": the shared journal's append lock, held until COMMIT
JOURNAL_TRIM_EVERY = 64  # appends between two trims of the journal table (as store/sqlite_journal.py)
CHANGE_SHARDS = 16  # rows of graphmock_changes: concurrent writers rarely bump the same one

# The freshness token of the read cache, cached counts and shared.py (PostgresRepository.external_version): the
# number of committed changes that answers may depend on, and the table's birth mark (a database dropped and
# created again while a server runs starts counting afresh; the epoch tells the two apart).
READ_CHANGES = "SELECT sum(n)::bigint, min(epoch) FROM graphmock_changes"
# Sent just before COMMIT by a transaction that changed objects or meta documents: committed with them or not at
# all. One row per connection (by backend pid): two servers committing at once do not queue on one row lock.
MARK_CHANGED = f"UPDATE graphmock_changes SET n = n + 1 WHERE shard = pg_backend_pid() % {CHANGE_SHARDS}"

MIGRATIONS: list[str] = [
    # 1: objects, meta, and next_id
    """
    CREATE TABLE graphmock_objects (
        id bigint PRIMARY KEY,
        type text COLLATE "C" NOT NULL,
        account_id text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        data json NOT NULL,
        campaign_id bigint,
        adset_id bigint,
        key text COLLATE "C",
        created bigint NOT NULL
    );
    CREATE INDEX graphmock_objects_by_account_status ON graphmock_objects (type, account_id, status, id);
    CREATE INDEX graphmock_objects_by_campaign_status ON graphmock_objects (type, campaign_id, status, id)
        WHERE campaign_id IS NOT NULL;
    CREATE INDEX graphmock_objects_by_adset_status ON graphmock_objects (type, adset_id, status, id)
        WHERE adset_id IS NOT NULL;
    CREATE INDEX graphmock_objects_by_key ON graphmock_objects (type, account_id, key) WHERE key IS NOT NULL;
    CREATE TABLE graphmock_meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
    -- The next free id, above `floor`, for every server: the transaction lock serialises allocations until
    -- COMMIT, and max(id) is read after the lock is granted (a VOLATILE function takes a fresh snapshot per
    -- statement), so it sees the previous holder's insert. Same answer as the SQLite store: max(max id, floor) + 1.
    CREATE FUNCTION graphmock_next_id(floor bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(%(id_lock)s);
        RETURN GREATEST(COALESCE((SELECT max(id) FROM graphmock_objects), 0), floor) + 1;
    END $$;
    """ % {"id_lock": ID_LOCK},
    # 2: the shared journal (mock_server/journal_store.py). IF NOT EXISTS: safe to renumber when merging.
    """
    CREATE SEQUENCE IF NOT EXISTS graphmock_journal_seq;
    CREATE TABLE IF NOT EXISTS graphmock_journal (
        seq bigint PRIMARY KEY,
        time double precision NOT NULL,
        size integer NOT NULL,
        bytes_before bigint NOT NULL,
        entry text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS graphmock_journal_by_bytes ON graphmock_journal (bytes_before);
    -- Append one entry and trim to `keep` entries and `max_bytes`, as one statement (one round trip). The lock
    -- orders appends until COMMIT, so seqs become visible in order and bytes_before adds up across servers.
    CREATE OR REPLACE FUNCTION graphmock_journal_append(at double precision, body text, keep bigint,
                                                        max_bytes bigint) RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
        new_seq bigint;
        new_before bigint;
        new_size integer := octet_length(body);
    BEGIN
        PERFORM pg_advisory_xact_lock(%(journal_lock)s);
        SELECT j.bytes_before + j.size INTO new_before FROM graphmock_journal j ORDER BY j.seq DESC LIMIT 1;
        new_before := COALESCE(new_before, 0);
        new_seq := nextval('graphmock_journal_seq');
        INSERT INTO graphmock_journal (seq, time, size, bytes_before, entry) VALUES (new_seq, at, new_size, new_before, body);
        DELETE FROM graphmock_journal j WHERE j.seq <= new_seq - keep;
        DELETE FROM graphmock_journal j WHERE j.bytes_before < new_before + new_size - max_bytes;
        RETURN new_seq;
    END $$;
    """ % {"journal_lock": JOURNAL_LOCK},
    # 3: the change counter (READ_CHANGES, MARK_CHANGED above). Not in graphmock_meta: a reset truncates meta, and
    # a counter that restarts could come back to a value a server cached an older answer under.
    """
    CREATE TABLE IF NOT EXISTS graphmock_changes (shard smallint PRIMARY KEY, n bigint NOT NULL, epoch text NOT NULL);
    INSERT INTO graphmock_changes (shard, n, epoch)
        SELECT shard, 0, birth.epoch FROM generate_series(0, %(last)s) AS shard,
            (SELECT md5(random()::text || clock_timestamp()::text) AS epoch) AS birth
        ON CONFLICT (shard) DO NOTHING;
    """ % {"last": CHANGE_SHARDS - 1},
    # 4: the journal's limits kept lazily (journal_store.py): an append inserts, and only every TRIM_EVERY-th seq
    # deletes the rows beyond the limits (never the newest, which the next append counts on); readers apply their
    # limits exactly (PostgresRepository.journal_read). bytes_before grows with seq, so the trim point is found by
    # a seq-ordered scan from the oldest row and its index, one more write per append, goes.
    """
    CREATE OR REPLACE FUNCTION graphmock_journal_append(at double precision, body text, keep bigint,
                                                        max_bytes bigint) RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
        new_seq bigint;
        new_before bigint;
        new_size integer := octet_length(body);
        cut bigint;
    BEGIN
        -- the journal is diagnostics: its COMMIT (visible to every server at once) need not wait for the WAL flush
        PERFORM set_config('synchronous_commit', 'off', true);
        PERFORM pg_advisory_xact_lock(%(journal_lock)s);
        SELECT j.bytes_before + j.size INTO new_before FROM graphmock_journal j ORDER BY j.seq DESC LIMIT 1;
        new_before := COALESCE(new_before, 0);
        new_seq := nextval('graphmock_journal_seq');
        INSERT INTO graphmock_journal (seq, time, size, bytes_before, entry) VALUES (new_seq, at, new_size, new_before, body);
        IF new_seq %% %(every)s = 0 THEN
            SELECT j.seq INTO cut FROM graphmock_journal j WHERE j.bytes_before >= new_before + new_size - max_bytes
                ORDER BY j.seq LIMIT 1;
            DELETE FROM graphmock_journal j
                WHERE j.seq < LEAST(new_seq, GREATEST(new_seq - keep + 1, COALESCE(cut, new_seq)));
        END IF;
        RETURN new_seq;
    END $$;
    DROP INDEX IF EXISTS graphmock_journal_by_bytes;
    """ % {"journal_lock": JOURNAL_LOCK, "every": JOURNAL_TRIM_EVERY},
]


def migrate(conn: Any) -> int:
    """Bring the database to the latest schema; returns the version. `conn` is an autocommit connection."""
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS graphmock_schema (version integer NOT NULL)")
        row = conn.execute("SELECT max(version) FROM graphmock_schema").fetchone()
        current = row[0] if row and row[0] is not None else 0
        if current > len(MIGRATIONS):
            raise RuntimeError(f"the database holds graphmock schema {current}; this graphmock knows up to "
                               f"{len(MIGRATIONS)}: upgrade graphmock")
        for version in range(current + 1, len(MIGRATIONS) + 1):
            with conn.transaction():
                conn.execute(MIGRATIONS[version - 1])
                conn.execute("INSERT INTO graphmock_schema (version) VALUES (%s)", (version,))
        return len(MIGRATIONS)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
