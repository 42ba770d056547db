import { createRequire } from 'node:module';

/** One metric family as parse-prometheus-text-format returns it (the package ships no types). */
export interface MetricFamily {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; count?: string; buckets?: Record<string, string> }[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[];

/** Prometheus text format, parsed by an independent parser. */
export const parsePrometheus = (text: string): Map<string, MetricFamily> => new Map(parse(text).map((family) => [family.name, family]));

/** The value of the family's sample whose labels include `labels`. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const sample = families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}
