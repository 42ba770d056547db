import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import yargs, { type Argv } from 'yargs';
import { readConfigFile } from '../config/config-file.js';
import { parseReadyOptions, parseStatusOptions, readyCommandSchema, schemaCommandSchema, type StatusOptions, statusCommandSchema } from '../config/command-options.js';
import { flagsOf, refuseConfigOnlyFlags } from '../config/declare.js';
import { JOB_SECTIONS, jobSchema } from '../config/job-options.js';
import { EXIT_CODE_MEANINGS, ExitCode, exitCodeOf, InputError, messageOf } from '../errors.js';
import { logFormat, setLogFormat } from '../report/log.js';
import { makeFolder } from '../state/make-folder.js';
import { type Io, processIo } from './io.js';
import { runJobCommand, runSchemaCommand } from './job-commands.js';
import { status } from './status.js';

export type { Io } from './io.js';

/** argv (without node and script) -> exit code; importable, so tests run the CLI in-process. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // Known before parsing, so that even a parse error is reported in the chosen format.
  setLogFormat(argv.some((arg, i) => arg === '--log-format=json' || (arg === '--log-format' && argv[i + 1] === 'json')) ? 'json' : 'text');
  let exitCode: number = ExitCode.ok;
  const run = (work: (args: Record<string, unknown>) => Promise<number>) => async (args: Record<string, unknown>) => {
    exitCode = await work(args);
  };
  try {
    let printedHelp = false;
    await commands(argv, io, run).parseAsync(argv, {}, (_error: unknown, _argv: unknown, output: string) => {
      if (output) {
        printedHelp = true;
        io.out(output);
      }
    });
    return printedHelp ? ExitCode.ok : exitCode;
  } catch (error) {
    return reportFailure(error, io);
  }
}

/** The one line a failure prints (an internal error's stack goes to errors.log), and its exit code. */
async function reportFailure(error: unknown, io: Io): Promise<number> {
  const code = exitCodeOf(error);
  let message = `migrate: ${oneLine(messageOf(error))}`;
  if (code === ExitCode.internal) message = `migrate: internal error: ${oneLine(messageOf(error))} (a defect of migrate: please report it with the stack, written to ${await recordStack(error, errorLogDir)})`;
  io.err(logFormat() === 'json' ? JSON.stringify({ time: new Date().toISOString(), event: 'error', exitCode: code, message }) : message);
  return code;
}

type Runner = (work: (args: Record<string, unknown>) => Promise<number>) => (args: Record<string, unknown>) => Promise<void>;

/** The commands, each with the flags its options' declaration gives (config-only options refused on argv). */
function commands(argv: string[], io: Io, run: Runner): Argv {
  const jobCommand = (command: 'copy' | 'validate') =>
    run(async (args) => {
      refuseConfigOnlyFlags(jobSchema, argv);
      return runJobCommand(command, args, io, (options) => {
        errorLogDir = options.run.stateDir;
      });
    });
  // status and ready read the recorded runs: their options, then the command.
  const readsRuns = <T extends StatusOptions>(parse: (args: Record<string, unknown>, env: NodeJS.ProcessEnv) => T, command: (options: T, out: Io) => Promise<number>) =>
    run(async (args) => {
      refuseConfigOnlyFlags(statusCommandSchema, argv);
      const options = parse(args, io.env);
      errorLogDir = options.run.stateDir;
      return command(options, io);
    });
  return yargs(argv)
    .scriptName('migrate')
    // Options keep their long names (the config file uses them too); no camelCase twins.
    .parserConfiguration({ 'camel-case-expansion': false })
    .usage('$0 <command> [options]\n\nCopy and validate Apache Cassandra tables between clusters, with zero downtime.')
    .command('copy', 'bulk-copy a table from the source cluster to the target', (y: Argv) => flagsOf(jobSchema, JOB_SECTIONS, ['compare'])(withConfig(y)), jobCommand('copy'))
    .command('validate', 'compare a table on both clusters row by row; --autocorrect fixes what differs', (y: Argv) => flagsOf(jobSchema, JOB_SECTIONS, ['write'])(withConfig(y)), jobCommand('validate'))
    .command(
      'schema',
      'print the CQL that creates in the target what the source keyspace has and the target lacks; --apply runs it',
      (y: Argv) => flagsOf(schemaCommandSchema, { ...JOB_SECTIONS, selection: 'Schema:', schema: 'Schema:' })(withConfig(y)),
      run(async (args) => {
        refuseConfigOnlyFlags(schemaCommandSchema, argv);
        return runSchemaCommand(args, io);
      }),
    )
    .command(
      'status [run-id]',
      'show runs and their progress: from the state directory, or (--state cassandra) from the target cluster, on any machine',
      (y: Argv) => flagsOf(statusCommandSchema, RUNS_SECTIONS)(withConfig(y)).positional('run-id', { type: 'string', describe: 'one run (default: all)' }),
      readsRuns(parseStatusOptions, status),
    )
    .command(
      'ready',
      'may reads move to the target now? every table copied completely, and its last validate runs clean and recent: from the recorded runs, without reading the data',
      (y: Argv) => flagsOf(readyCommandSchema, RUNS_SECTIONS)(withConfig(y)),
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
}

const RUNS_SECTIONS = { clusters: 'Connection:', run: 'Runs:', output: 'Runs:', scope: 'Ready:' };

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

/** The process's entry (bin.ts) runs the command line through this: its exit code, and no stray handle keeping it. */
export async function runProcess(): Promise<void> {
  // `migrate status | head`: the reader went away; that is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  // A throw inside a library's event handler reaches no await of ours (cassandra-driver's stream-id bookkeeping
  // threw once in CI). Node would exit 1, which a scheduler reads as "differences remain": it is exit 7.
  process.on('uncaughtException', (error) => {
    void reportFailure(error, processIo).then((code) => process.exit(code));
  });
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // A handle a library leaves open must not keep a cron job running after its work is done.
  setTimeout(() => process.exit(code), 2_000).unref();
}
