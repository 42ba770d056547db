import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../../src/cli/main.js';

/**
 * The ready-made schedules in examples/schedules run `migrate` with flags that exist and values it takes:
 * each command line is run here against a port where nothing listens, and gets as far as connecting.
 */
const dir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const text = (name: string) => readFileSync(`${dir}${name}`, 'utf8');

/** The words after `migrate` (or the npx package name) on a shell command line. */
const migrateArgs = (line: string) => line.trim().replace(/\s*\\\n\s*/g, ' ').split(/\s+/).slice(line.trim().split(/\s+/).findIndex((w) => w === 'migrate' || w === 'cql-migrate') + 1).filter((w) => !/^>>|^2>&1$/.test(w));

async function reachesConnect(args: string[]): Promise<string[]> {
  const err: string[] = [];
  const withConfig = args.some((a) => a.startsWith('--config')) ? ['--config', `${dir}nightly-reconcile.yaml`] : [];
  // The config file, where metrics go and where they are pushed are the host's: those flags and their values
  // are left out here (the example config file is given instead).
  const elsewhere = ['--config', '--metrics-file', '--pushgateway'];
  const kept = args.filter((a, i) => !elsewhere.some((flag) => a === flag || a.startsWith(`${flag}=`)) && !elsewhere.includes(args[i - 1] as string));
  const code = await main([...kept, ...withConfig, '--source', '127.0.0.1:1'], { out: () => undefined, err: (t) => err.push(t), env: {} });
  expect(code).toBe(6);
  return err;
}

describe('example schedules', () => {
  it('the Kubernetes CronJob: forbids overlaps, resumes interrupted runs, fails on exit 1, 2 and 7, and its args parse', async () => {
    const cronJob = parse(text('schedules/reconcile-cronjob.yaml'));
    expect(cronJob.kind).toBe('CronJob');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    const job = cronJob.spec.jobTemplate.spec;
    expect(job.podFailurePolicy.rules).toEqual([
      { action: 'Ignore', onExitCodes: { operator: 'In', values: [4] } },
      { action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 2, 7] } },
    ]);
    const container = job.template.spec.containers[0];
    const err = await reachesConnect(container.args.filter((a: string) => !a.startsWith('--source=')));
    expect(err).toHaveLength(1);
    expect(JSON.parse(err[0] as string)).toMatchObject({ event: 'error', exitCode: 6, message: expect.stringMatching(/^migrate: cannot connect to the source cluster at 127\.0\.0\.1:1/) });
  });

  it('the systemd service: exit 3 and 4 are not failures, and its command line parses', async () => {
    const service = text('schedules/cql-migrate-reconcile.service');
    expect(service.match(/^SuccessExitStatus=(\d)$/gm)).toEqual(['SuccessExitStatus=3', 'SuccessExitStatus=4']);
    expect(text('schedules/cql-migrate-reconcile.timer')).toMatch(/^OnCalendar=\*-\*-\* 02:15:00$/m);
    const execStart = /^ExecStart=(.*)$/m.exec(service)?.[1] as string;
    const err = await reachesConnect(migrateArgs(execStart).filter((a) => !a.startsWith('/var/lib/cql-migrate') && a !== '--state-dir'));
    expect(JSON.parse(err[0] as string)).toMatchObject({ exitCode: 6 });
  });

  it('the cron wrapper: maps each exit code, and its command line parses', async () => {
    const script = text('schedules/reconcile.sh');
    for (const [code, action] of [['0', 'exit 0'], ['1', 'exit 1'], ['2', 'exit 2'], ['3', 'exit 0'], ['4', 'exit 0'], ['5', 'exit 5'], ['6', 'exit 6'], ['7', 'exit 7']]) expect(script).toMatch(new RegExp(`^\\s+${code}\\).*${action} ;;`, 'm'));
    const line = /^npx --no-install migrate[^\n]*\\\n[^\n]*/m.exec(script)?.[0] as string;
    const err = await reachesConnect(migrateArgs(line));
    expect(JSON.parse(err[0] as string)).toMatchObject({ exitCode: 6 });
    expect(text('schedules/crontab')).toMatch(/^15 2 \* \* \*\s+\S+reconcile\.sh$/m);
  });

  it('the Kubernetes copy Job: N pods join one run through the ledger in the target, and its args parse', async () => {
    const job = parse(text('k8s/copy-job.yaml'));
    expect(job.kind).toBe('Job');
    expect(job.spec.parallelism).toBeGreaterThan(1);
    expect(job.spec.completions).toBe(job.spec.parallelism);
    const args: string[] = job.spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--state=cassandra', expect.stringMatching(/^--run-id=\S+$/), expect.stringMatching(/^--table=/)]));
    const err = await reachesConnect(args.filter((a) => !a.startsWith('--source=')));
    expect(JSON.parse(err[0] as string)).toMatchObject({ event: 'error', exitCode: 6, message: expect.stringMatching(/^migrate: cannot connect to the source cluster at 127\.0\.0\.1:1/) });
  });

  it('the Kubernetes reconcile CronJob on the shared ledger: one run per night named after its Job, and its args parse', async () => {
    const cronJob = parse(text('k8s/reconcile-cronjob.yaml'));
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
    expect(pod.args).toEqual(expect.arrayContaining(['--state=cassandra', '--run-id=$(JOB_NAME)', '--autocorrect']));
    expect(pod.env[0]).toEqual({ name: 'JOB_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } });
    const err = await reachesConnect(pod.args.filter((a: string) => !a.startsWith('--source=')).map((a: string) => a.replace('$(JOB_NAME)', 'cql-migrate-reconcile-orders-29001234')));
    expect(JSON.parse(err[0] as string)).toMatchObject({ exitCode: 6 });
  });

  it('every Kubernetes example runs the image the Dockerfile builds (entrypoint migrate, installed by the tested script), by a name the user sets', () => {
    const dockerfile = readFileSync(`${dir}../Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["migrate"\]$/m);
    expect(dockerfile).toMatch(/^RUN bash \/tmp\/install-package\.sh /m);
    expect(dockerfile).toMatch(/^USER node$/m);
    const containers = [
      parse(text('schedules/reconcile-cronjob.yaml')).spec.jobTemplate.spec.template.spec.containers[0],
      parse(text('k8s/reconcile-cronjob.yaml')).spec.jobTemplate.spec.template.spec.containers[0],
      parse(text('k8s/copy-job.yaml')).spec.template.spec.containers[0],
    ];
    for (const container of containers) expect({ image: container.image, command: container.command }).toEqual({ image: 'registry.example.com/cql-migrate:0.1.0', command: undefined });
  });
});
