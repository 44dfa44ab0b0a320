-- auditkit schema version 4 for H2: nothing to change. On PostgreSQL this version records how far
-- each chain's seals reach in writing order; H2 has no transaction ids and seals by anti-join.
-- Placeholders as in V1.

comment on table ${audit_schema}.${audit_prefix}chain is 'auditkit sealer state per chain (a cache, not evidence)';
