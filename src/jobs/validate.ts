import type { JobOptions } from '../config/options.js';
import type { JobResult } from './pipeline.js';

export async function validate(_options: JobOptions): Promise<JobResult> {
  throw new Error('validate is being built');
}
