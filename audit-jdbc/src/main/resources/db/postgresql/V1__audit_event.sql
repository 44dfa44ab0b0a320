-- auditkit schema version 1 for PostgreSQL (13 or newer).
--
-- Placeholders (Flyway and Liquibase syntax; JdbcAuditStore.migrate() fills them itself):
--   ${audit_schema}  the schema that holds the tables, e.g. public
--   ${audit_prefix}  the table name prefix, e.g. audit_
-- Run it as the owner role (see docs/security.md); the application role needs only
-- INSERT and SELECT on the event table and EXECUTE on the partition function.

-- Every audit event. Append-only: the triggers below refuse UPDATE, DELETE and TRUNCATE.
-- Partitioned by month on occurred_at; the primary key includes the partition key, so
-- idempotency is by (id, occurred_at): a replayed event has both unchanged.
create table ${audit_schema}.${audit_prefix}event (
  id              uuid        not null,
  occurred_at     timestamptz not null,
  tenant_id       text,
  actor_type      text        not null,
  actor_id        text        not null,
  actor_role      text,
  actor_email     text,
  actor_org       text,
  actor_extra_ids jsonb,
  action          text        not null,
  kind            text        not null,
  outcome         text        not null,
  resource_type   text        not null,
  resource_id     text,
  resource_label  text,
  from_state      text,
  to_state        text,
  changes         jsonb,
  old_value       jsonb,
  new_value       jsonb,
  metadata        jsonb       not null,
  ip              inet,
  user_agent      text,
  http_method     text,
  request_path    text,
  request_id      text,
  source_app      text,
  source_version  text,
  source_host     text,
  -- when the row was written, and by which transaction (the order sealing follows)
  recorded_at     timestamptz not null default clock_timestamp(),
  tx_id           xid8        not null default pg_current_xact_id(),
  primary key (id, occurred_at)
) partition by range (occurred_at);

-- Indexes, one per query pattern (their ingest cost is measured by IngestBenchmark).
-- tenant timeline, keyset-paged by (occurred_at, id)
create index ${audit_prefix}event_tenant_time_idx on ${audit_schema}.${audit_prefix}event (tenant_id, occurred_at, id);
-- entity history: every event of one record
create index ${audit_prefix}event_resource_time_idx on ${audit_schema}.${audit_prefix}event (resource_type, resource_id, occurred_at);
-- actor activity
create index ${audit_prefix}event_actor_time_idx on ${audit_schema}.${audit_prefix}event (actor_id, occurred_at);
-- state transitions: which records moved into (or out of) a state
create index ${audit_prefix}event_state_time_idx on ${audit_schema}.${audit_prefix}event (resource_type, to_state, from_state, occurred_at)
  where to_state is not null;
-- action filters
create index ${audit_prefix}event_action_time_idx on ${audit_schema}.${audit_prefix}event (action, occurred_at);

-- Append-only guard: one function for every refused operation.
create function ${audit_schema}.${audit_prefix}refuse_change() returns trigger
  language plpgsql as $$
begin
  raise exception 'auditkit: % on %.% refused, audit events are append-only', tg_op, tg_table_schema, tg_table_name
    using errcode = 'insufficient_privilege',
          hint = 'Only the retention purge removes audit events, by dropping whole monthly partitions.';
end
$$;

create trigger ${audit_prefix}event_no_update before update on ${audit_schema}.${audit_prefix}event
  for each row execute function ${audit_schema}.${audit_prefix}refuse_change();
create trigger ${audit_prefix}event_no_delete before delete on ${audit_schema}.${audit_prefix}event
  for each row execute function ${audit_schema}.${audit_prefix}refuse_change();
-- statement triggers are not inherited by partitions: ensure_partition adds one to each partition
create trigger ${audit_prefix}event_no_truncate before truncate on ${audit_schema}.${audit_prefix}event
  for each statement execute function ${audit_schema}.${audit_prefix}refuse_change();

-- Creates the monthly partition holding instant t, if it does not exist yet. SECURITY DEFINER so
-- that an application role without CREATE rights can still write an event of any month.
-- The partition is created on its own and then attached, which takes only a SHARE UPDATE
-- EXCLUSIVE lock on the parent: concurrent inserts are never blocked.
create function ${audit_schema}.${audit_prefix}ensure_partition(t timestamptz) returns text
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  -- month bounds in UTC, whatever the session's time zone (interval arithmetic would use it)
  lo   timestamptz := date_trunc('month', t, 'UTC');
  hi   timestamptz := (date_trunc('month', t at time zone 'UTC') + interval '1 month') at time zone 'UTC';
  part text := '${audit_prefix}event_' || to_char(lo at time zone 'UTC', 'YYYY"m"MM');
begin
  if to_regclass(format('%I.%I', '${audit_schema}', part)) is not null then
    return part;
  end if;
  -- one creator at a time per parent table; others wait, then find it made
  perform pg_advisory_xact_lock(hashtext('${audit_schema}.${audit_prefix}event'));
  if to_regclass(format('%I.%I', '${audit_schema}', part)) is not null then
    return part;
  end if;
  -- the catalog cache may not show a partition that another session made while this one waited
  begin
  execute format('create table %I.%I (like %I.%I including defaults)', '${audit_schema}', part,
                 '${audit_schema}', '${audit_prefix}event');
  execute format('alter table %I.%I add constraint %I check (occurred_at >= %L and occurred_at < %L)',
                 '${audit_schema}', part, part || '_range', lo, hi);
  execute format('alter table %I.%I attach partition %I.%I for values from (%L) to (%L)',
                 '${audit_schema}', '${audit_prefix}event', '${audit_schema}', part, lo, hi);
  execute format('alter table %I.%I drop constraint %I', '${audit_schema}', part, part || '_range');
  execute format('create trigger %I before truncate on %I.%I for each statement execute function %I.%I()',
                 part || '_no_truncate', '${audit_schema}', part, '${audit_schema}', '${audit_prefix}refuse_change');
  exception when duplicate_table then
    return part;
  end;
  return part;
end
$$;

-- The current month and the next three exist from the start; the store keeps creating ahead.
select ${audit_schema}.${audit_prefix}ensure_partition(now() + make_interval(months => m))
  from generate_series(0, 3) as m;
