-- auditkit schema version 1 for H2 (2.x).
--
-- Placeholders (Flyway and Liquibase syntax; JdbcAuditStore.migrate() fills them itself):
--   ${audit_schema}  the schema that holds the tables, e.g. PUBLIC
--   ${audit_prefix}  the table name prefix, e.g. audit_
-- The triggers are Java classes from audit-jdbc, which must be on the classpath.

-- Every audit event. Append-only: triggers refuse UPDATE and DELETE, the guard table refuses TRUNCATE.
create table ${audit_schema}.${audit_prefix}event (
  -- the order rows were written in, within this database
  ingest_seq      bigint generated always as identity,
  id              uuid        not null,
  occurred_at     timestamp(6) with time zone not null,
  tenant_id       varchar,
  actor_type      varchar     not null,
  actor_id        varchar     not null,
  actor_role      varchar,
  actor_email     varchar,
  actor_org       varchar,
  actor_extra_ids json,
  action          varchar     not null,
  kind            varchar     not null,
  outcome         varchar     not null,
  resource_type   varchar     not null,
  resource_id     varchar,
  resource_label  varchar,
  from_state      varchar,
  to_state        varchar,
  changes         json,
  old_value       json,
  new_value       json,
  metadata        json        not null,
  ip              varchar(45),
  user_agent      varchar,
  http_method     varchar,
  request_path    varchar,
  request_id      varchar,
  source_app      varchar,
  source_version  varchar,
  source_host     varchar,
  recorded_at     timestamp(6) with time zone default current_timestamp(6) not null,
  primary key (id, occurred_at),
  unique (ingest_seq)
);

create index ${audit_prefix}event_tenant_time_idx on ${audit_schema}.${audit_prefix}event (tenant_id, occurred_at, id);
create index ${audit_prefix}event_resource_time_idx on ${audit_schema}.${audit_prefix}event (resource_type, resource_id, occurred_at);
create index ${audit_prefix}event_actor_time_idx on ${audit_schema}.${audit_prefix}event (actor_id, occurred_at);
create index ${audit_prefix}event_state_time_idx on ${audit_schema}.${audit_prefix}event (resource_type, to_state, from_state, occurred_at);
create index ${audit_prefix}event_action_time_idx on ${audit_schema}.${audit_prefix}event (action, occurred_at);
create index ${audit_prefix}event_time_idx on ${audit_schema}.${audit_prefix}event (occurred_at, id);

create trigger ${audit_prefix}event_no_update before update on ${audit_schema}.${audit_prefix}event
  for each row call 'dev.auditkit.jdbc.internal.H2AppendOnlyTrigger';
create trigger ${audit_prefix}event_no_delete before delete on ${audit_schema}.${audit_prefix}event
  for each row call 'dev.auditkit.jdbc.internal.H2AppendOnlyTrigger';

-- H2 has no TRUNCATE trigger, and refuses TRUNCATE of a table that a foreign key references:
-- this empty table exists only to hold that reference.
create table ${audit_schema}.${audit_prefix}event_truncate_guard (
  ingest_seq bigint references ${audit_schema}.${audit_prefix}event (ingest_seq)
);
