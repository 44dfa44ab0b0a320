-- auditkit schema version 4 for PostgreSQL: how far up the writing order a chain's seals reach.
-- While high_seq = head_seq, no seal of the chain names an event written by a transaction above
-- high_xid, so sealers read the rows above it without looking each up in the seal table (they
-- cannot be sealed). A sealer that does not keep these columns (an older version) moves head_seq
-- alone, which makes them void until the next pass sets them again. Placeholders as in V1.

alter table ${audit_schema}.${audit_prefix}chain
  add column high_xid xid8,
  add column high_seq bigint;

-- a chain without seals reaches nowhere
update ${audit_schema}.${audit_prefix}chain set high_xid = '0'::xid8, high_seq = 0 where head_seq = 0;
