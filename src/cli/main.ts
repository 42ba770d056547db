#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { readConfigFile } from '../config/config-file.js';
import { parseJobOptions, parseReadyOptions, parseSchemaOptions, parseStatusOptions, type StatusOptions, WHOLE_KEYSPACE } from '../config/options.js';
import { EXIT_CODE_MEANINGS, ExitCode, exitCodeOf, InputError, messageOf } from '../errors.js';
import { logEvent, logFormat, setLogFormat } from '../report/log.js';
import { checkOutputs } from '../report/writable.js';
import { formatSummary } from '../report/summary.js';
import type { JobResult } from '../jobs/pipeline.js';
import { CONFIG_ONLY_FLAGS, connectionFlags, tableFlags, validateFlags, copyFlags, outputFlags, schemaFlags } from './flags.js';
import { status } from './status.js';
import { makeFolder } from '../state/make-folder.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/** argv (without node and script) -> exit code; importable, so tests run the CLI in-process. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  // Known before parsing, so that even a parse error is reported in the chosen format.
  setLogFormat(argv.some((arg, i) => arg === '--log-format=json' || (arg === '--log-format' && argv[i + 1] === 'json')) ? 'json' : 'text');
  // status and ready read the recorded runs: their options, then the command.
  const readsRuns =
    <T extends StatusOptions>(parse: (args: Record<string, unknown>, env: NodeJS.ProcessEnv) => T, command: (options: T, out: Io) => Promise<number>) =>
    async (args: Record<string, unknown>) => {
      refusePasswordsOnCommandLine(argv);
      const options = parse(args, io.env);
      errorLogDir = options.stateDir;
      exitCode = await command(options, io);
    };
  const parser = yargs(argv)
    .scriptName('migrate')
    // Options keep their long names (the config file uses them too); no camelCase twins.
    .parserConfiguration({ 'camel-case-expansion': false })
    .usage('$0 <command> [options]\n\nCopy and validate Apache Cassandra tables between clusters, with zero downtime.')
    .command('copy', 'bulk-copy a table from the source cluster to the target', (y: Argv) => copyFlags(outputFlags(tableFlags(connectionFlags(withConfig(y))))), async (args) => {
      exitCode = await runJobCommand('copy', args, io, argv);
    })
    .command(
      'validate',
      'compare a table on both clusters row by row; --autocorrect fixes what differs',
      (y: Argv) => validateFlags(outputFlags(tableFlags(connectionFlags(withConfig(y))))),
      async (args) => {
        exitCode = await runJobCommand('validate', args, io, argv);
      },
    )
    .command(
      'schema',
      "print the CQL that creates in the target what the source keyspace has and the target lacks; --apply runs it",
      (y: Argv) => schemaFlags(connectionFlags(withConfig(y))),
      async (args) => {
        exitCode = await runSchemaCommand(args, io, argv);
      },
    )
    .command(
      'status [run-id]',
      'show runs and their progress: from the state directory, or (--state cassandra) from the target cluster, on any machine',
      (y: Argv) => recordedRunsFlags(y).positional('run-id', { type: 'string', describe: 'one run (default: all)' }),
      readsRuns(parseStatusOptions, status),
    )
    .command(
      'ready',
      'may reads move to the target now? every table copied completely, and its last validate runs clean and recent: from the recorded runs, without reading the data',
      (y: Argv) =>
        recordedRunsFlags(y)
          .option('keyspace', { type: 'string', describe: 'the keyspace to judge (source name)' })
          .option('table', { type: 'string', describe: 'one table of it (default: every table the runs know)' })
          .option('clean-runs', { type: 'number', describe: 'how many of the latest validate runs must each cover every range and find nothing (default 3)' })
          .option('max-age', { type: 'string', describe: 'the newest of them must be younger than this (default 24h)' }),
      readsRuns(parseReadyOptions, async (options, out) => (await import('./ready.js')).ready(options, out)),
    )
    .epilog(EXIT_CODES_HELP)
    .demandCommand(1, 'give a command: schema, copy, validate, status or ready')
    .strict()
    .help()
    .version(packageVersion())
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message: string | undefined, error: Error | undefined) => {
      // yargs wraps what goes wrong while it parses (a config file too): all of it is bad input.
      if (error && error.name !== 'YError') throw error;
      throw new InputError(error ? oneLine(error.message) : `${oneLine(message ?? 'bad arguments')}: see "migrate --help"`);
    });
  try {
    let printedHelp = false;
    await parser.parseAsync(argv, {}, (_error: unknown, _argv: unknown, output: string) => {
      if (output) {
        printedHelp = true;
        io.out(output);
      }
    });
    if (printedHelp) return ExitCode.ok;
    return exitCode;
  } catch (error) {
    const exitCode = exitCodeOf(error);
    let message = `migrate: ${oneLine(messageOf(error))}`;
    if (exitCode === ExitCode.internal) message = `migrate: internal error: ${oneLine(messageOf(error))} (a defect of migrate: please report it with the stack, written to ${await recordStack(error, errorLogDir)})`;
    io.err(logFormat() === 'json' ? JSON.stringify({ time: new Date().toISOString(), event: 'error', exitCode, message }) : message);
    return exitCode;
  }
}

/** Where an internal error's stack goes: the state folder of the job being run (set once its options are read). */
let errorLogDir = '.migrate';

async function recordStack(error: unknown, dir: string): Promise<string> {
  const path = join(dir, 'errors.log');
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  try {
    await makeFolder(dir);
    await appendFile(path, `${new Date().toISOString()} ${stack}\n`);
    return path;
  } catch {
    return 'nowhere: the state folder cannot be written';
  }
}

const EXIT_CODES_HELP = `Exit codes:\n${Object.entries(EXIT_CODE_MEANINGS)
  .map(([code, meaning]) => `  ${code}  ${meaning}`)
  .join('\n')}`;

/** Where status and ready find the recorded runs. */
function recordedRunsFlags(y: Argv): Argv {
  return connectionFlags(withConfig(y))
    .option('state-dir', { type: 'string', describe: 'where runs are recorded (default .migrate)' })
    .option('state', { type: 'string', describe: 'local (default) or cassandra[:KEYSPACE]: the ledger keyspace in the --target cluster' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON' });
}

/** Every command takes a config file, and its help ends with the exit codes. */
function withConfig(y: Argv): Argv {
  return y.epilog(EXIT_CODES_HELP).option('config', {
    type: 'string',
    describe: 'YAML file with any of these options by their long names; flags win over it',
    config: true,
    configParser: readConfigFile,
  });
}

/** A message of several lines (yargs lists a flag's choices on the next lines) as the one line we print. */
const oneLine = (message: string): string =>
  message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');

function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

function refusePasswordsOnCommandLine(argv: string[]): void {
  const onCommandLine = CONFIG_ONLY_FLAGS.find((flag) => argv.some((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`)));
  if (onCommandLine) {
    throw new InputError(`--${onCommandLine} is not taken on the command line (other users of the machine can read it there): set MIGRATE_${onCommandLine.toUpperCase().replace(/-/g, '_')} or put it in the --config file`);
  }
}

async function runSchemaCommand(args: Record<string, unknown>, io: Io, argv: string[]): Promise<number> {
  refusePasswordsOnCommandLine(argv);
  const options = parseSchemaOptions(args, io.env);
  const { schema, formatSchemaPlan } = await import('../jobs/schema.js');
  const result = await schema(options);
  io.out(formatSchemaPlan(result, options));
  const [first, ...more] = result.plan.conflicts;
  if (first) io.err(`migrate: ${first}${more.length > 0 ? ` (and ${more.length} more, listed above)` : ''}: schema never drops or alters; change the target by hand, then run schema again`);
  return result.exitCode;
}

async function runJobCommand(command: 'copy' | 'validate', args: Record<string, unknown>, io: Io, argv: string[]): Promise<number> {
  refusePasswordsOnCommandLine(argv);
  const parsed = parseJobOptions(args, io.env);
  errorLogDir = parsed.stateDir;
  setLogFormat(parsed.logFormat);
  const options = parsed;
  if (Number(args.workers) > options.workers) logEvent('workers-capped', { asked: Number(args.workers), cap: options.workers }, `migrate: --workers ${String(args.workers)} is more than 4 per core on this machine: running ${options.workers}`);
  await checkOutputs(options);
  // Jobs load lazily: `migrate --help` and `status` need no driver.
  const definitionFor = command === 'copy' ? (await import('../jobs/copy.js')).copyJob : (await import('../jobs/validate.js')).validateJob;
  if (options.table === WHOLE_KEYSPACE) {
    const { runKeyspaceJob, formatKeyspaceSummary } = await import('../jobs/keyspace.js');
    const result = await runKeyspaceJob(definitionFor, options, args, io.env);
    io.out(options.json ? JSON.stringify(result.summary) : formatKeyspaceSummary(result));
    return result.exitCode;
  }
  const { runJob } = await import('../jobs/pipeline.js');
  const result: JobResult = await runJob(definitionFor(), options);
  if (options.json) io.out(JSON.stringify(result.summary));
  else io.out(formatSummary(result.summary, result.reportDir));
  return result.exitCode;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  // `migrate status | head`: the reader went away; that is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // A handle a library leaves open must not keep a cron job running after its work is done.
  setTimeout(() => process.exit(code), 2_000).unref();
}
