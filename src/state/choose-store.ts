import type { JobOptions } from '../config/job-options.js';
import type { Session } from '../connect/session.js';
import { InputError } from '../errors.js';
import { CassandraStore } from './cassandra-store.js';
import type { LedgerStore } from './ledger.js';
import { LocalStore } from './local-store.js';

/** The run's ledger: the local state folder, or the target's ledger keyspace (created on first use). */
export async function openLedgerStore(run: Pick<JobOptions['run'], 'state' | 'stateDir' | 'leaseSeconds' | 'resume'>, target: Session): Promise<LedgerStore> {
  if (run.state.kind === 'local') return new LocalStore(run.stateDir);
  const { keyspace } = run.state;
  if (!target.profile.lightweightTransactions) {
    throw new InputError(`--state cassandra keeps claims and locks with lightweight transactions, which ${target.profile.label} does not offer everywhere: keep the run state locally (--state-dir), one process per run or --shard across machines`);
  }
  const leaseMs = run.leaseSeconds * 1000;
  // A run to resume needs a ledger that exists: the target is not written to for a mistyped --state.
  if (run.resume === undefined) return CassandraStore.open(target, keyspace, run.stateDir, leaseMs);
  const existing = await CassandraStore.open(target, keyspace, run.stateDir, leaseMs, false);
  if (!existing) throw new InputError(`--resume: the target cluster has no ledger keyspace ${keyspace}, so no run to resume: check --state, or drop --resume to start one`);
  return existing;
}
