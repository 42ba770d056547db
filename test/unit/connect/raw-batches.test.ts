import { createRequire } from 'node:module';
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { installRawBatches } from '../../../src/connect/raw-batches.js';

const require = createRequire(import.meta.url);
const { BatchRequest } = require('cassandra-driver/lib/requests.js') as {
  BatchRequest: new (queries: unknown[], options: unknown) => { write(encoder: { protocolVersion: number }, streamId: number): Buffer };
};
const Encoder = require('cassandra-driver/lib/encoder.js') as new (version: number, options: object) => { protocolVersion: number };
const driverWrite = BatchRequest.prototype.write;

/** What BatchRequest reads of its execution options; the driver builds these from the client's settings. */
function executionOptions(over: { serial?: number; timestamp?: cassandra.types.Long | null; keyspace?: string; tracing?: boolean } = {}) {
  return {
    getOrGenerateTimestamp: () => over.timestamp ?? null,
    getHints: () => undefined,
    isBatchCounter: () => false,
    isBatchLogged: () => false,
    isQueryTracing: () => over.tracing ?? false,
    getCustomPayload: () => undefined,
    getConsistency: () => cassandra.types.consistencies.localQuorum,
    getSerialConsistency: () => over.serial,
    getKeyspace: () => over.keyspace,
  };
}

const bytes = (...values: number[]) => Buffer.from(values);
const prepared = (id: number, params: (Buffer | null)[]) => ({ query: `q${id}`, queryId: bytes(id, id, id), meta: { columns: params.map(() => ({ type: { code: 3 } })) }, params });
const queries = [prepared(1, [bytes(0, 0, 0, 7), null, bytes()]), prepared(2, [bytes(1, 2, 3, 4, 5, 6, 7, 8), bytes(0, 0, 0, 0)])];

describe('batches of bytes encoded in one pass', () => {
  installRawBatches();
  const encoders = [3, 4].map((version) => new Encoder(version, {}));

  it('writes the same frame as the driver, byte for byte: nulls, empty values, serial consistency, a default timestamp', () => {
    const cases = [executionOptions(), executionOptions({ serial: cassandra.types.consistencies.localSerial, timestamp: cassandra.types.Long.fromString('1796289827578000') }), executionOptions({ keyspace: 'ks' })];
    for (const encoder of encoders) {
      for (const options of cases) {
        const ours = new BatchRequest(queries, options).write(encoder, 77);
        const theirs = driverWrite.call(new BatchRequest(queries, options), encoder, 77);
        expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      }
    }
  });

  it('leaves to the driver a batch it does not cover: a value that is not bytes, or tracing', () => {
    const decoded = [prepared(1, [bytes(1)]), { ...prepared(2, []), params: [42], meta: { columns: [{ type: { code: 9 } }] } }];
    const encoder = new Encoder(4, {});
    for (const [items, options] of [[decoded, executionOptions()], [queries, executionOptions({ tracing: true })]] as const) {
      const ours = new BatchRequest([...items], options).write(encoder, 5);
      expect(ours.toString('hex')).toBe(driverWrite.call(new BatchRequest([...items], options), encoder, 5).toString('hex'));
    }
  });
});
