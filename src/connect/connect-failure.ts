import type { Side } from '../config/clusters.js';
import { ConnectError, messageOf } from '../errors.js';

/** Why connecting failed, in one line that ends with what to check. */
export function connectFailure(side: Side, where: string, error: unknown, dc?: string, bundle = false): ConnectError {
  const detail = messageOf(error).split('\n')[0] ?? '';
  return new ConnectError(`cannot connect to the ${side} cluster ${where}: ${detail}; ${bundle ? bundleFix(side, detail) : fixFor(side, detail, dc)}`);
}

/**
 * The node took the credentials but could not read the role in time ("Unable to perform authentication:
 * Operation timed out - received only 0 responses"): the replica of system_auth that holds it is down or
 * overloaded. Telling the user to check a password that is right would send them the wrong way.
 */
const authReadFailed = (detail: string) => /authenticat/i.test(detail) && /timed out|received only \d+ responses|unavailable/i.test(detail);

function authReadFix(side: Side): string {
  return `the ${side} cluster could not read the role in time (a replica of system_auth down or overloaded): run again, and check that system_auth is replicated to the nodes that are up`;
}

function bundleFix(side: Side, detail: string): string {
  if (authReadFailed(detail)) return authReadFix(side);
  if (/auth|credential|password/i.test(detail)) return `check --${side}-user and MIGRATE_${side.toUpperCase()}_PASSWORD (a token: user "token", the token as password)`;
  return `check --${side}-bundle (the database's Secure Connect Bundle, not expired, for a database that is running) and that its endpoint is reachable`;
}

function fixFor(side: Side, detail: string, dc: string | undefined): string {
  if (authReadFailed(detail)) return authReadFix(side);
  if (/auth|credential|password/i.test(detail)) return `check --${side}-user and MIGRATE_${side.toUpperCase()}_PASSWORD`;
  // The server refused our client certificate: none given, or one its CA did not sign (Java answers "internal error").
  if (/alert (certificate required|internal error|unknown ca|bad certificate|certificate unknown)/i.test(detail)) {
    return `check --${side}-cert and --${side}-key, or --${side}-keystore: the ${side} cluster requires a client certificate signed by a CA it trusts`;
  }
  if (/mac verify failure|PKCS12|pkcs12/i.test(detail)) return `check --${side}-keystore and MIGRATE_${side.toUpperCase()}_KEYSTORE_PASSWORD`;
  if (/certificate|self.signed|SSL|TLS/i.test(detail)) return `check --${side}-ca (the CA that signed the ${side} cluster's certificate)`;
  if (dc) return `check --${side}-dc (${dc}) and that the hosts are up`;
  return 'check the hosts, the port and that the cluster is up';
}
