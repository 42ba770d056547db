// The peers `npm run bench` measures against, fetched from Maven Central on first use and cached beside
// the Cassandra jars (~/.cache/cql-migrate, or MIGRATE_CASSANDRA_CACHE as scripts/cassandra.sh reads it).
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const cacheRoot = process.env.MIGRATE_CASSANDRA_CACHE ?? join(homedir(), '.cache', 'cql-migrate');
export const DSBULK_VERSION = '1.10.0';

/** DSBulk's module jars (its distribution tarball is not on Maven Central; its modules are). */
export function fetchDsbulk() {
  const lib = join(cacheRoot, `dsbulk-${DSBULK_VERSION}`, 'lib');
  if (existsSync(join(lib, `dsbulk-runner-${DSBULK_VERSION}.jar`))) return lib;
  console.error(`Fetching DSBulk ${DSBULK_VERSION} from Maven Central into ${lib} (once)`);
  rmSync(`${lib}.partial`, { recursive: true, force: true });
  execFileSync('mvn', ['-q', '--batch-mode', '-f', join(here, 'dsbulk', 'pom.xml'), `-Ddsbulk.version=${DSBULK_VERSION}`, `-DoutputDirectory=${lib}.partial`, 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  rmSync(lib, { recursive: true, force: true });
  renameSync(`${lib}.partial`, lib);
  return lib;
}

/**
 * A DSBulk command line (as the `dsbulk` script would run it). The driver reads only the bench keyspace's
 * schema: DSBulk 1.10's driver (4.14) cannot parse the vector columns other keyspaces of the test
 * clusters have, and would then see no schema at all.
 */
export function dsbulk(lib, args, keyspace, logDir) {
  return [
    'java',
    '-Xss1M',
    '-cp',
    `${lib}/*`,
    'com.datastax.oss.dsbulk.runner.DataStaxBulkLoader',
    ...args,
    '-logDir',
    logDir,
    '--log.verbosity',
    'quiet',
    '--datastax-java-driver.advanced.metadata.schema.refreshed-keyspaces',
    `[ "${keyspace}" ]`,
  ];
}
