import { z } from 'zod';
import { InputError } from '../errors.js';
import { PROFILE_NAMES } from '../connect/profile.js';
import { option } from './declare.js';

export type Side = 'source' | 'target';

/** TLS to one cluster: the CA to trust (else the system's), and a client certificate when the cluster asks for one. */
export type TlsOption =
  | false
  | {
      caFile: string | undefined;
      /** PEM certificate and its PEM private key. */
      certFile?: string | undefined;
      keyFile?: string | undefined;
      /** PKCS#12 holding both, and its password (environment or config file only). */
      keystoreFile?: string | undefined;
      keystorePassword?: string | undefined;
    };

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** "300", "90s", "5m", "1h" in milliseconds: a plain number is seconds. */
export const duration = (example: string) =>
  z
    .union([z.number(), z.string()])
    .transform((v) => String(v))
    .pipe(z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, `give a duration such as ${example}`))
    .transform((text) => {
      const [, amount, unit] = /^([\d.]+)([a-z]*)$/.exec(text) as RegExpExecArray;
      return Number(amount) * (DURATION_UNITS_MS[unit || 's'] as number);
    });

const text = (flag: string, help?: string, env?: string) => option(z.string().optional(), { flag, type: 'string', help, env });

const contactPointsNeeded = (side: Side) => `give the ${side} contact points: --${side} HOST[:PORT][,HOST...] (or --${side}-bundle FILE for Astra)`;
const contactPoints = (side: Side) => option(z.string().min(1, contactPointsNeeded(side)).optional(), { flag: side, type: 'string', help: `${side} contact points HOST[:PORT][,HOST...]` });

/** How to reach one cluster, but where: its contact points. */
function sideShape(side: Side) {
  const password = `MIGRATE_${side.toUpperCase()}_PASSWORD`;
  const keystorePassword = `MIGRATE_${side.toUpperCase()}_KEYSTORE_PASSWORD`;
  return {
    contactPoints: contactPoints(side),
    bundle: text(`${side}-bundle`, `reach the ${side} through this Secure Connect Bundle (Astra DB; zip file) instead of contact points`),
    profile: option(z.enum(PROFILE_NAMES, { error: `use one of ${PROFILE_NAMES.join(', ')}` }).optional(), {
      flag: `${side}-profile`,
      type: 'string',
      help: `what the ${side} is, when detection is wrong: ${PROFILE_NAMES.join(', ')} (default: detected at connect)`,
    }),
    dc: text(`${side}-dc`, `${side} local DC (default: the contact point's DC)`),
    user: text(`${side}-user`, `${side} username (password: ${password})`),
    password: text(`${side}-password`, undefined, password),
    tls: option(z.boolean().default(false), { flag: `${side}-tls`, type: 'boolean', help: `TLS to the ${side}, checking its certificate against the system's CAs` }),
    ca: text(`${side}-ca`, `TLS to the ${side}, trusting this CA certificate (PEM file)`),
    cert: text(`${side}-cert`, `client certificate for the ${side} (PEM file), with --${side}-key: mutual TLS`),
    key: text(`${side}-key`, `the private key of --${side}-cert (PEM file)`),
    keystore: text(`${side}-keystore`, `client certificate and key for the ${side} as PKCS#12 (password: ${keystorePassword})`),
    keystorePassword: text(`${side}-keystore-password`, undefined, keystorePassword),
  };
}
type SideFields = z.output<z.ZodObject<ReturnType<typeof sideShape>>>;

/** Where the cluster is (contact points, or a bundle: not both), how to log in, and TLS (a bundle brings its own). */
const toSide =
  (side: Side, required: boolean) =>
  ({ contactPoints, bundle, profile, dc, user, password, ...tls }: SideFields) => {
    if (contactPoints !== undefined && bundle !== undefined) throw new InputError(`--${side} and --${side}-bundle both say where the ${side} is: keep one`);
    if (required && contactPoints === undefined && bundle === undefined) throw new InputError(contactPointsNeeded(side));
    const tlsOption = tlsOf(side, tls);
    if (bundle !== undefined && tlsOption) throw new InputError(`--${side}-bundle brings its own certificates: drop the --${side}-tls, -ca, -cert, -key and -keystore options`);
    return { side, contactPoints, bundle, profile, dc, user, password, tls: tlsOption };
  };

/** How to reach one cluster. */
export const clusterSide = (side: Side) => z.object(sideShape(side)).transform(toSide(side, true));
/** How to reach a cluster a command may do without (`migrate status` of a local run). */
export const optionalClusterSide = (side: Side) => z.object(sideShape(side)).transform(toSide(side, false));

/** Any of the side's TLS options turns TLS on; a client certificate comes as PEM (cert and key) or PKCS#12. */
function tlsOf(side: Side, o: { tls: boolean; ca?: string | undefined; cert?: string | undefined; key?: string | undefined; keystore?: string | undefined; keystorePassword?: string | undefined }): TlsOption {
  const { cert, key, keystore } = o;
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert === undefined ? ['key', 'cert'] : ['cert', 'key'];
    throw new InputError(`--${side}-${given} needs --${side}-${missing}: give the client certificate and its private key (PEM files), or a PKCS#12 file with --${side}-keystore`);
  }
  if (cert !== undefined && keystore !== undefined) throw new InputError(`--${side}-cert and --${side}-keystore both give a client certificate: keep one`);
  if (!o.tls && o.ca === undefined && cert === undefined && keystore === undefined) return false;
  return { caFile: o.ca, certFile: cert, keyFile: key, keystoreFile: keystore, keystorePassword: o.keystorePassword };
}

/** How requests to either cluster are made. */
export const requestOptions = {
  readConsistency: option(z.string().min(1).default('LOCAL_QUORUM'), { flag: 'read-consistency', type: 'string', help: 'consistency of reads (default LOCAL_QUORUM)' }),
  writeConsistency: option(z.string().min(1).default('LOCAL_QUORUM'), { flag: 'write-consistency', type: 'string', help: 'consistency of writes (default LOCAL_QUORUM)' }),
  /** How long a failing request is retried before its range fails (outlasts a node restart). */
  retryForMs: option(duration('300 (seconds), 90s, 5m or 1h').default(300_000), {
    flag: 'retry-for',
    type: 'string',
    help: 'how long a failing request is retried before its range fails: 300 (s), 90s, 5m, 1h (default 5m)',
  }),
};

/** Both clusters, for the commands that read one and write the other. */
export const clustersSchema = z.object({ source: clusterSide('source'), target: clusterSide('target'), ...requestOptions });

export type ClusterOptions = Clusters['source'];
export type Clusters = z.output<typeof clustersSchema>;
export type RequestOptions = Pick<Clusters, 'readConsistency' | 'writeConsistency' | 'retryForMs'>;
