-- auditkit schema version 2 for H2: the per-tenant hash chains (see docs/architecture.md).
-- Placeholders as in V1.

create table ${audit_schema}.${audit_prefix}seal (
  chain_id    varchar     not null,
  seq         bigint      not null check (seq >= 1),
  event_id    uuid        not null,
  occurred_at timestamp(6) with time zone not null,
  prev_hash   varchar(64) not null,
  hash        varchar(64) not null,
  sealed_at   timestamp(6) with time zone default current_timestamp(6) not null,
  primary key (chain_id, seq),
  unique (event_id)
);

create trigger ${audit_prefix}seal_no_update before update on ${audit_schema}.${audit_prefix}seal
  for each row call 'dev.auditkit.jdbc.internal.H2AppendOnlyTrigger';
create trigger ${audit_prefix}seal_no_delete before delete on ${audit_schema}.${audit_prefix}seal
  for each row call 'dev.auditkit.jdbc.internal.H2AppendOnlyTrigger';

create table ${audit_schema}.${audit_prefix}checkpoint (
  chain_id        varchar     not null,
  seq             bigint      not null,
  head_hash       varchar(64) not null,
  created_at      timestamp(6) with time zone not null,
  key_fingerprint varchar(64) not null,
  signature       varchar     not null,
  primary key (chain_id, seq)
);

create trigger ${audit_prefix}checkpoint_no_update before update on ${audit_schema}.${audit_prefix}checkpoint
  for each row call 'dev.auditkit.jdbc.internal.H2AppendOnlyTrigger';
create trigger ${audit_prefix}checkpoint_no_delete before delete on ${audit_schema}.${audit_prefix}checkpoint
  for each row call 'dev.auditkit.jdbc.internal.H2AppendOnlyTrigger';

-- TRUNCATE guards (H2 refuses TRUNCATE of a table that a foreign key references)
create table ${audit_schema}.${audit_prefix}seal_truncate_guard (
  chain_id varchar, seq bigint,
  foreign key (chain_id, seq) references ${audit_schema}.${audit_prefix}seal (chain_id, seq)
);
create table ${audit_schema}.${audit_prefix}checkpoint_truncate_guard (
  chain_id varchar, seq bigint,
  foreign key (chain_id, seq) references ${audit_schema}.${audit_prefix}checkpoint (chain_id, seq)
);

-- Sealer state per chain (a cache, not evidence). H2 has no transaction ids: sealers find
-- unsealed events by anti-join (fine at embedded sizes, see docs/architecture.md).
create table ${audit_schema}.${audit_prefix}chain (
  chain_id       varchar     primary key,
  head_seq       bigint      default 0 not null,
  head_hash      varchar(64),
  checkpoint_seq bigint      default 0 not null,
  checkpoint_at  timestamp(6) with time zone,
  updated_at     timestamp(6) with time zone default current_timestamp(6) not null
);

-- One sealer at a time per database (its pass locks this row).
create table ${audit_schema}.${audit_prefix}seal_lock (id int primary key);
insert into ${audit_schema}.${audit_prefix}seal_lock values (1);
