import { describe, expect, it } from 'vitest';
import { connectFailure } from '../../../src/connect/connect-failure.js';

// The first lines cassandra-driver 4.8 gives for these failures (NoHostAvailableError's message).
const noHost = (inner: string) => new Error(`All host(s) tried for query failed. First host tried, 127.0.0.11:21042: ${inner}. See innerErrors.`);

describe('connectFailure', () => {
  it('sends a wrong password to the user flag and the password variable', () => {
    const error = connectFailure('source', 'at 127.0.0.11:21042', noHost('AuthenticationError: Provided username cassandra and/or password are incorrect'));
    expect(error.message).toMatch(/; check --source-user and MIGRATE_SOURCE_PASSWORD$/);
  });

  it('says a role that could not be read in time is the cluster\'s trouble, not the password', () => {
    const detail = 'AuthenticationError: Unable to perform authentication: Operation timed out - received only 0 responses';
    for (const bundle of [false, true]) {
      const error = connectFailure('target', 'at 127.0.0.1:29042', noHost(detail), undefined, bundle);
      expect(error.message).toContain('received only 0 responses');
      expect(error.message).toMatch(/; the target cluster could not read the role in time \(a replica of system_auth down or overloaded\): run again/);
      expect(error.message).not.toContain('PASSWORD');
    }
  });

  it('names the client-certificate flags when the server refuses the handshake', () => {
    const error = connectFailure('target', 'at 127.0.0.1:23042', new Error('write EPROTO ... ssl3_read_bytes:tlsv13 alert certificate required'));
    expect(error.message).toMatch(/check --target-cert and --target-key, or --target-keystore/);
  });

  it('keeps the first line of the driver message only', () => {
    const error = connectFailure('source', 'at 127.0.0.1:1', new Error('connect ECONNREFUSED 127.0.0.1:1\n  at stack'), 'dc1');
    expect(error.message).toBe('cannot connect to the source cluster at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; check --source-dc (dc1) and that the hosts are up');
  });
});
