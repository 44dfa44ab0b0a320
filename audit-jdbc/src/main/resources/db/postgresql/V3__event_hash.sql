-- auditkit schema version 3 for PostgreSQL: each event row keeps its event hash, SHA-256 of its
-- canonical encoding, computed by the writer. The sealer chains these hashes without reading the
-- events back; verify recomputes every event hash from the stored columns and never trusts this
-- one. Null for rows written before version 3 or by other means: the sealer then hashes the
-- stored event itself, as it does for a value that is not 32 bytes (no CHECK constraint: the
-- monthly partitions are made LIKE the table without constraints). Placeholders as in V1.

alter table ${audit_schema}.${audit_prefix}event
  add column event_hash bytea;
