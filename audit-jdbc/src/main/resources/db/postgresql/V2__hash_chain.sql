-- auditkit schema version 2 for PostgreSQL: the per-tenant hash chains (see docs/architecture.md).
-- Placeholders as in V1.

-- One seal per event: its place in its chain. Append-only like the events. The primary key and
-- the unique event id make double sealing impossible even if two sealers raced.
create table ${audit_schema}.${audit_prefix}seal (
  chain_id    text        not null,
  seq         bigint      not null check (seq >= 1),
  event_id    uuid        not null,
  occurred_at timestamptz not null,
  prev_hash   text        not null,
  hash        text        not null,
  sealed_at   timestamptz not null default clock_timestamp(),
  primary key (chain_id, seq),
  unique (event_id)
);

create trigger ${audit_prefix}seal_no_update before update on ${audit_schema}.${audit_prefix}seal
  for each row execute function ${audit_schema}.${audit_prefix}refuse_change();
create trigger ${audit_prefix}seal_no_delete before delete on ${audit_schema}.${audit_prefix}seal
  for each row execute function ${audit_schema}.${audit_prefix}refuse_change();
create trigger ${audit_prefix}seal_no_truncate before truncate on ${audit_schema}.${audit_prefix}seal
  for each statement execute function ${audit_schema}.${audit_prefix}refuse_change();

-- Signed checkpoints {chain, seq, head hash, time}; append-only.
create table ${audit_schema}.${audit_prefix}checkpoint (
  chain_id        text        not null,
  seq             bigint      not null,
  head_hash       text        not null,
  created_at      timestamptz not null,
  key_fingerprint text        not null,
  signature       text        not null,
  primary key (chain_id, seq)
);

create trigger ${audit_prefix}checkpoint_no_update before update on ${audit_schema}.${audit_prefix}checkpoint
  for each row execute function ${audit_schema}.${audit_prefix}refuse_change();
create trigger ${audit_prefix}checkpoint_no_delete before delete on ${audit_schema}.${audit_prefix}checkpoint
  for each row execute function ${audit_schema}.${audit_prefix}refuse_change();
create trigger ${audit_prefix}checkpoint_no_truncate before truncate on ${audit_schema}.${audit_prefix}checkpoint
  for each statement execute function ${audit_schema}.${audit_prefix}refuse_change();

-- Sealer state per chain: a cache that only sealers write (under FOR UPDATE SKIP LOCKED). It is
-- not evidence: the verifier reads seals and checkpoints only, so a tampered head cannot hide
-- anything. low_xid: every committed event of the chain with tx_id < low_xid is sealed.
create table ${audit_schema}.${audit_prefix}chain (
  chain_id       text        primary key,
  head_seq       bigint      not null default 0,
  head_hash      text,
  low_xid        xid8        not null,
  checkpoint_seq bigint      not null default 0,
  checkpoint_at  timestamptz,
  updated_at     timestamptz not null default clock_timestamp()
);

-- finding unsealed events: by writing transaction, from a chain's low-water mark
create index ${audit_prefix}event_tx_idx on ${audit_schema}.${audit_prefix}event (tx_id);
