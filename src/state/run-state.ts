import { access, appendFile, link, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { RunLedger } from './ledger.js';
import type { KeyspaceRunRecord, RangeCheckpoint, RunRecord } from './run-record.js';
import { makeFolder } from './make-folder.js';

export type { KeyspaceRunRecord, RangeCheckpoint, RunRecord } from './run-record.js';

export async function createKeyspaceRun(stateDir: string, record: KeyspaceRunRecord): Promise<void> {
  await writeNewRecord(stateDir, record);
}

/** A new run's folder and its run.json; an id already taken is bad input. Returns the folder. */
async function writeNewRecord(stateDir: string, record: RunRecord | KeyspaceRunRecord): Promise<string> {
  const dir = join(stateDir, 'runs', record.runId);
  await makeFolder(dir);
  // Written whole, then linked into place: another process listing the runs (a shard beside this one) never
  // reads it half-written, and the link fails if the id is taken.
  const partial = join(dir, `run.json.${process.pid}.partial`);
  await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
  try {
    await link(partial, join(dir, 'run.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new InputError(`run ${record.runId} already exists in ${stateDir}: pick another --run-id, or continue it with --resume ${record.runId}`);
    }
    throw error;
  } finally {
    await rm(partial, { force: true });
  }
  return dir;
}

/** The keyspace run to continue: the given id, or the latest of the same job. */
export async function resumeKeyspaceRun(stateDir: string, jobKey: string, runId: string | true): Promise<KeyspaceRunRecord> {
  const runs = (await readRunFiles(stateDir)).filter((r): r is KeyspaceRunRecord => 'kind' in r && r.kind === 'keyspace');
  const run = runId === true ? runs.filter((r) => r.jobKey === jobKey).at(-1) : runs.find((r) => r.runId === runId);
  if (!run) {
    throw new InputError(runId === true ? `no earlier run of this job in ${stateDir} to resume: drop --resume to start one` : `run ${runId} was not found in ${stateDir}: list runs with "migrate status --state-dir ${stateDir}"`);
  }
  if (run.jobKey !== jobKey) throw new InputError(`run ${run.runId} was a different job (${run.jobKey}): resume it with the same command, clusters and keyspace`);
  return run;
}

/** One run's folder: run.json, the append-only checkpoint log, and its reports by default. One process works on it (the job lock). */
export class RunState implements RunLedger {
  /** Ranges handed to this process's pool. */
  private readonly started = new Set<string>();

  private constructor(
    readonly dir: string,
    readonly record: RunRecord,
    readonly done: Map<string, RangeCheckpoint>,
    /** Whether an earlier process worked on this run (a resume, or a rerun of its failed ranges). */
    readonly resumed: boolean,
  ) {}

  static async create(stateDir: string, record: RunRecord): Promise<RunState> {
    return new RunState(await writeNewRecord(stateDir, record), record, new Map(), false);
  }

  /** Opens a run to resume it: the given id, or the latest run of the same job. */
  static async resume(stateDir: string, jobKey: string, runId: string | true): Promise<RunState> {
    const id = runId === true ? await latestRunOf(stateDir, jobKey) : runId;
    const dir = join(stateDir, 'runs', id);
    let record: RunRecord;
    try {
      record = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunRecord;
    } catch {
      throw new InputError(`run ${id} was not found in ${stateDir}: list runs with "migrate status --state-dir ${stateDir}"`);
    }
    if (record.jobKey !== jobKey) {
      throw new InputError(`run ${id} was a different job (${record.jobKey}): resume it with the same command, clusters and tables`);
    }
    return new RunState(dir, record, await readCheckpoints(dir), true);
  }

  static async exists(stateDir: string, runId: string): Promise<boolean> {
    return access(join(stateDir, 'runs', runId, 'run.json')).then(
      () => true,
      () => false,
    );
  }

  async next(candidates: readonly string[]): Promise<string | undefined> {
    for (const range of candidates) {
      if (this.started.has(range) || this.done.has(range)) continue;
      this.started.add(range);
      return range;
    }
    return undefined;
  }

  async recordDone(checkpoint: RangeCheckpoint): Promise<boolean> {
    this.done.set(checkpoint.range, checkpoint);
    await appendFile(join(this.dir, 'ranges.jsonl'), `${JSON.stringify(checkpoint)}\n`);
    return true;
  }

  /** A failed range is done again by a rerun; failed.jsonl tells status it failed (failed-ranges.csv has the report). */
  async recordFailed(range: string, error: string): Promise<void> {
    await appendFile(join(this.dir, 'failed.jsonl'), `${JSON.stringify({ range, error })}\n`);
  }

  async refresh(): Promise<{ failed: Map<string, string> }> {
    return { failed: new Map() };
  }

  async close(): Promise<void> {}
}

export async function readCheckpoints(dir: string): Promise<Map<string, RangeCheckpoint>> {
  return new Map((await readJsonLines<RangeCheckpoint>(join(dir, 'ranges.jsonl'))).map((c) => [c.range, c]));
}

/** The ranges of a run's folder recorded as failed (some may have been finished since). */
export async function readFailedRanges(dir: string): Promise<string[]> {
  return (await readJsonLines<{ range: string }>(join(dir, 'failed.jsonl'))).map((f) => f.range);
}

/** An append-only log; a line cut short by a crash is left out (its range is simply done again). */
async function readJsonLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line) as T] : [];
    } catch {
      return [];
    }
  });
}

/** Every table run in the state folder, those inside keyspace runs included, oldest first. */
export async function listRuns(stateDir: string): Promise<RunRecord[]> {
  const records = await readRunFiles(stateDir);
  const tableRuns = await Promise.all(
    records.map(async (record) =>
      'kind' in record ? (await Promise.all(record.tables.map((t) => readJson<RunRecord>(join(stateDir, 'runs', record.runId, t, 'run.json'))))).filter((r) => r !== null) : [record],
    ),
  );
  return tableRuns.flat().sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The records at the top of the state folder: table runs and keyspace runs, oldest first. */
export async function readRunFiles(stateDir: string): Promise<(RunRecord | KeyspaceRunRecord)[]> {
  const runsDir = join(stateDir, 'runs');
  const names = await readdir(runsDir).catch(() => [] as string[]);
  const records = await Promise.all(names.map((name) => readJson<RunRecord | KeyspaceRunRecord>(join(runsDir, name, 'run.json'))));
  return records.filter((r) => r !== null).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

const readJson = async <T>(path: string): Promise<T | null> => JSON.parse(await readFile(path, 'utf8').catch(() => 'null')) as T | null;

export async function latestRunOf(stateDir: string, jobKey: string): Promise<string> {
  const runs = (await listRuns(stateDir)).filter((r) => r.jobKey === jobKey);
  const latest = runs.at(-1);
  if (!latest) throw new InputError(`no earlier run of this job in ${stateDir} to resume: drop --resume to start one`);
  return latest.runId;
}

