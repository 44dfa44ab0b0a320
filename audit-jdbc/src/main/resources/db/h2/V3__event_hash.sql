-- auditkit schema version 3 for H2: the writer's event hash, as for PostgreSQL (see there).
-- Placeholders as in V1.

alter table ${audit_schema}.${audit_prefix}event
  add column event_hash binary varying(32);
