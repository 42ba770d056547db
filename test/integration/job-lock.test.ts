import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/connect/session.js';
import { ExitCode, LockedError } from '../../src/errors.js';
import { CassandraStore } from '../../src/state/cassandra-store.js';
import { acquireJobLock } from '../../src/state/lock.js';
import { dropKeyspace, SESSION_DEFAULTS, TARGET, testClient } from '../support/clusters.js';

const LEDGER = 'lock_ledger';

/** A run whose job lock is taken by another run while it works must stop: it never works beside the other run. */
describe('a job lock lost to another run', () => {
  let session: Session;
  let target: cassandra.Client;
  beforeAll(async () => {
    target = await testClient('target');
    await dropKeyspace(target, LEDGER);
    session = await Session.open({ side: 'target', contactPoints: TARGET, ...SESSION_DEFAULTS });
  });
  afterAll(async () => {
    await session?.close();
    await dropKeyspace(target, LEDGER);
    await target?.shutdown();
  });

  it('in the target ledger: the holder sees the other run at its next renewal, its signal aborts with exit 3', async () => {
    const store = await CassandraStore.open(session, LEDGER, tmpdir(), 3_000);
    const lock = await store.lock('copy a/ks.t -> b/ks.t', 'run-a');
    expect(lock.lost.aborted).toBe(false);
    // Another run took the lock (as one does when this run's lease ran out while it could not renew it).
    await target.execute(`UPDATE ${LEDGER}.locks SET run_id = 'run-b', owner = 'elsewhere', lease_until = ? WHERE job_key = ?`, [Date.now() + 60_000, 'copy a/ks.t -> b/ks.t'], { prepare: true });
    for (let i = 0; i < 50 && !lock.lost.aborted; i++) await sleep(100);
    expect(lock.lost.aborted).toBe(true);
    expect(lock.lost.reason).toBeInstanceOf(LockedError);
    expect((lock.lost.reason as LockedError).exitCode).toBe(ExitCode.locked);
    expect((lock.lost.reason as Error).message).toMatch(/^run run-b of this job took its lock in keyspace lock_ledger of the target cluster/);
    // Releasing a lost lock leaves the other run's lock alone.
    await lock.release();
    expect((await target.execute(`SELECT run_id FROM ${LEDGER}.locks WHERE job_key = ?`, ['copy a/ks.t -> b/ks.t'], { prepare: true })).first()?.get('run_id')).toBe('run-b');
  });

  it('in the target ledger: a lock this run keeps renewing is never reported lost', async () => {
    const store = await CassandraStore.open(session, LEDGER, tmpdir(), 3_000);
    const lock = await store.lock('copy a/ks.u -> b/ks.u', 'run-c');
    await sleep(4_000);
    expect(lock.lost.aborted).toBe(false);
    await lock.release();
    expect((await target.execute(`SELECT run_id FROM ${LEDGER}.locks WHERE job_key = ?`, ['copy a/ks.u -> b/ks.u'], { prepare: true })).rowLength).toBe(0);
  });

  it('in a state folder: a lock file another process replaced is lost at the next refresh', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'lock-'));
    const lock = await acquireJobLock(stateDir, 'copy a/ks.t -> b/ks.t');
    const [file] = (await import('node:fs')).readdirSync(join(stateDir, 'locks')).filter((f) => f.endsWith('.lock'));
    // Another process judged it stale and took it: the lock's time is no longer the one this holder wrote.
    const stolenAt = new Date(Date.now() + 60_000);
    await utimes(join(stateDir, 'locks', file as string), stolenAt, stolenAt);
    for (let i = 0; i < 150 && !lock.lost.aborted; i++) await sleep(100);
    expect(lock.lost.aborted).toBe(true);
    expect((lock.lost.reason as Error).message).toMatch(/^this run lost its job lock in .+: another run of the job may have started/);
    await rm(stateDir, { recursive: true, force: true });
  }, 20_000);
});
