import type { SchemaOptions } from '../config/command-options.js';
import { withBothClusters } from '../connect/both-clusters.js';
import type { Session } from '../connect/session.js';
import { ExitCode, InputError } from '../errors.js';
import { dataCentres, describeKeyspace } from '../schema/describe.js';
import { readTableSchema } from '../schema/read-schema.js';
import { planSchema, type SchemaPlan, shapeDifferences } from '../schema/schema-plan.js';

export interface SchemaResult {
  plan: SchemaPlan;
  applied: boolean;
  exitCode: ExitCode;
}

/**
 * `migrate schema`: the CQL that creates in the target what the source keyspace has and the target lacks;
 * with --apply, run it and wait for schema agreement. Never drops or alters: a table or type that exists
 * with another shape is reported (exit 2), and nothing is applied.
 */
export function schema(options: SchemaOptions): Promise<SchemaResult> {
  return withBothClusters(options.clusters, new AbortController().signal, async (source, target) => {
    const sourceElements = await describeKeyspace(source, options.selection.keyspace);
    if (!sourceElements) throw new InputError(`keyspace ${options.selection.keyspace} does not exist on the source cluster: check --keyspace`);
    const targetElements = await describeKeyspace(target, options.selection.targetKeyspace);
    const plan = planSchema({
      sourceKeyspace: options.selection.keyspace,
      targetKeyspace: options.selection.targetKeyspace,
      source: sourceElements,
      target: targetElements,
      targetDcs: await dataCentres(target),
      replication: options.schema.replication,
      targetReleaseMajor: target.releaseMajor,
      targetProfile: target.profile,
    });
    const bothHave = sourceElements.filter((e) => e.type === 'table' && targetElements?.some((t) => t.type === 'table' && t.name === e.name));
    for (const table of bothHave) {
      const differences = shapeDifferences(await readTableSchema(source, options.selection.keyspace, table.name), await readTableSchema(target, options.selection.targetKeyspace, table.name));
      if (differences.length > 0) plan.conflicts.push(`table ${options.selection.targetKeyspace}.${table.name} exists with another shape: ${differences.join('; ')}`);
    }
    if (plan.conflicts.length > 0) return { plan, applied: false, exitCode: ExitCode.badInput };
    if (options.schema.apply) await apply(target, plan.statements);
    return { plan, applied: options.schema.apply, exitCode: ExitCode.ok };
  });
}

async function apply(target: Session, statements: string[]): Promise<void> {
  for (const statement of statements) {
    try {
      await target.changeSchema(statement);
    } catch (error) {
      if (error instanceof InputError) throw error;
      const reason = (error as Error).message.split('\n')[0];
      const fix = /materialized views are disabled/i.test(reason ?? '') ? ': set materialized_views_enabled: true in the target nodes\' cassandra.yaml' : '';
      throw new InputError(`the target refused ${statement.split('\n')[0]} (${reason})${fix}`);
    }
  }
}

/** The plan as a person reads it: CQL to run, then what it left out; or why there is nothing to do. */
export function formatSchemaPlan(result: SchemaResult, options: SchemaOptions): string {
  const { plan } = result;
  const lines: string[] = [];
  for (const conflict of plan.conflicts) lines.push(`-- conflict: ${conflict}`);
  if (plan.conflicts.length > 0) lines.push('-- nothing was applied: the schema never drops or alters what exists; change the target by hand, then run schema again');
  else if (plan.statements.length === 0) lines.push(`-- nothing to do: the target keyspace ${options.selection.targetKeyspace} has every type, table, index and view of ${options.selection.keyspace}`);
  else {
    lines.push(`-- ${result.applied ? 'applied' : 'to apply (run again with --apply)'}: ${plan.statements.length} statement${plan.statements.length === 1 ? '' : 's'}`);
    for (const statement of plan.statements) lines.push(statement.trim(), '');
  }
  for (const note of plan.notes) lines.push(`-- note: ${note}`);
  return lines.join('\n').trimEnd();
}
