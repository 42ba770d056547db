// An Astra-style endpoint on loopback, built from real parts in front of the mtls test node (which takes
// only TLS connections with a client certificate its test CA signed), for the --target-bundle tests:
//   - HAProxy on 127.0.0.1:23443 routes each TLS connection by its SNI name (a node's host id), without
//     terminating TLS, as Astra's SNI proxy does; a name it does not know is refused;
//   - an HTTPS metadata service on 127.0.0.1:23543, requiring the client certificate, answers /metadata
//     with the proxy's address, the nodes' host ids and the data center, as Astra's does;
//   - a Secure Connect Bundle for them: .cassandra/astra/secure-connect-local.zip (config.json, ca.crt,
//     cert, key), as Astra's console gives one.
// Started and stopped by scripts/cassandra.sh (start astra); runs until SIGTERM, and stops HAProxy with it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cassandra from 'cassandra-driver';

const root = fileURLToPath(new URL('..', import.meta.url));
const clustersDir = process.env.MIGRATE_CLUSTERS_DIR ?? join(root, '.cassandra');
const certs = join(clustersDir, 'mtls-certs');
const out = join(clustersDir, 'astra');
const NODE_PORT = 23042;
const SNI_PORT = 23443;
const METADATA_PORT = 23543;
const read = (name) => readFileSync(join(certs, name));
const tls = { ca: [read('ca.pem')], cert: read('client.pem'), key: read('client.key'), rejectUnauthorized: true };

mkdirSync(out, { recursive: true });
const client = new cassandra.Client({ contactPoints: ['127.0.0.1'], protocolOptions: { port: NODE_PORT }, localDataCenter: 'datacenter1', sslOptions: tls });
await client.connect();
const local = (await client.execute('SELECT host_id, data_center FROM system.local')).first();
const peers = (await client.execute('SELECT host_id FROM system.peers')).rows;
await client.shutdown();
const hostIds = [local, ...peers].map((row) => String(row.host_id));
const dataCenter = String(local.data_center);

writeFileSync(
  join(out, 'haproxy.cfg'),
  `global
  log stdout format raw local0 warning
defaults
  mode tcp
  log global
  timeout connect 5s
  timeout client 10m
  timeout server 10m
frontend sni
  bind 127.0.0.1:${SNI_PORT}
  tcp-request inspect-delay 5s
  tcp-request content accept if { req.ssl_hello_type 1 }
${hostIds.map((id) => `  use_backend node if { req.ssl_sni -i ${id} }`).join('\n')}
backend node
  server mtls 127.0.0.1:${NODE_PORT}
`,
);
const proxy = spawn('haproxy', ['-f', join(out, 'haproxy.cfg'), '-db'], { stdio: 'inherit' });
proxy.on('exit', (code) => {
  console.error(`haproxy exited (${code})`);
  process.exit(1);
});

const metadata = JSON.stringify({
  version: 1,
  region: 'local',
  contact_info: { type: 'sni_proxy', local_dc: dataCenter, contact_points: hostIds, sni_proxy_address: `127.0.0.1:${SNI_PORT}` },
});
const server = https.createServer({ key: read('node.key'), cert: read('node.pem'), ca: [read('ca.pem')], requestCert: true, rejectUnauthorized: true }, (req, res) => {
  if (req.url !== '/metadata') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(metadata);
});
server.listen(METADATA_PORT, '127.0.0.1');

// The bundle, written whole then renamed: a reader never sees half of one.
writeFileSync(join(out, 'config.json'), JSON.stringify({ host: '127.0.0.1', port: METADATA_PORT, cql_port: SNI_PORT }));
const zip = `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for name, path in zip(sys.argv[2::2], sys.argv[3::2]):
        z.write(path, arcname=name)`;
execFileSync('python3', ['-c', zip, join(out, 'bundle.partial'), 'config.json', join(out, 'config.json'), 'ca.crt', join(certs, 'ca.pem'), 'cert', join(certs, 'client.pem'), 'key', join(certs, 'client.key')]);
renameSync(join(out, 'bundle.partial'), join(out, 'secure-connect-local.zip'));
console.error(`astra endpoint: SNI proxy 127.0.0.1:${SNI_PORT}, metadata https://127.0.0.1:${METADATA_PORT}/metadata, bundle ${join(out, 'secure-connect-local.zip')}`);

const stop = () => {
  proxy.removeAllListeners('exit');
  proxy.kill('SIGTERM');
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
