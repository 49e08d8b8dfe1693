// Test support: certificates made at test time with the openssl CLI — a CA, leaves it signs with chosen
// validity dates (including already expired ones), and self-signed leaves nobody trusts.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const OPENSSL = 'openssl';
export const DAY_MS = 86_400_000;

export interface KeyPair {
  key: string;
  cert: string;
}

export interface LeafOptions {
  /** Names (DNS or IP) the certificate is for; the first is the common name. */
  names?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

export interface CertificateAuthority {
  cert: string;
  /** The CA certificate as a PEM file, for a probe's caFile. */
  certFile: string;
  issue(options?: LeafOptions): Promise<KeyPair>;
}

export interface CertificateWorkshop {
  dir: string;
  createAuthority(name?: string): Promise<CertificateAuthority>;
  selfSigned(names?: string[]): Promise<KeyPair>;
  /** Writes text to a file in the workshop (e.g. a bad caFile). */
  writeFile(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { cwd, timeout: 20_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args[0]} failed: ${stderr}`));
      else resolve();
    });
  });
}

/** openssl ca's date format: YYYYMMDDHHMMSSZ in UTC. */
function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function subjectAltName(names: string[]): string {
  return names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
}

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1'];

export async function certificateWorkshop(): Promise<CertificateWorkshop> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-certs-'));
  let counter = 0;
  const next = (prefix: string) => `${prefix}-${++counter}`;

  const keyPair = async (stem: string): Promise<KeyPair> => ({
    key: await readFile(path.join(dir, `${stem}.key`), 'utf8'),
    cert: await readFile(path.join(dir, `${stem}.crt`), 'utf8'),
  });

  const selfSigned = async (names: string[] = DEFAULT_NAMES): Promise<KeyPair> => {
    const stem = next('self');
    await openssl(
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', `${stem}.key`, '-out', `${stem}.crt`, '-days', '30',
        '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${subjectAltName(names)}`,
      ],
      dir,
    );
    return keyPair(stem);
  };

  const createAuthority = async (name = 'Vigil Test CA'): Promise<CertificateAuthority> => {
    const stem = next('ca');
    await openssl(
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', `${stem}.key`, '-out', `${stem}.crt`, '-days', '3650', '-subj', `/CN=${name}`,
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    await writeFile(path.join(dir, `${stem}.index`), '');
    await writeFile(path.join(dir, `${stem}.serial`), '1000\n');
    // `openssl ca` is the CLI that takes explicit start and end dates (x509 -req only takes -days >= 1).
    await writeFile(
      path.join(dir, `${stem}.cnf`),
      `[ca]
default_ca = test_ca
[test_ca]
database = ${stem}.index
serial = ${stem}.serial
new_certs_dir = .
certificate = ${stem}.crt
private_key = ${stem}.key
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = copy
[any_policy]
commonName = supplied
`,
    );
    const cert = await readFile(path.join(dir, `${stem}.crt`), 'utf8');
    return {
      cert,
      certFile: path.join(dir, `${stem}.crt`),
      issue: async (options: LeafOptions = {}) => {
        const names = options.names ?? DEFAULT_NAMES;
        const leaf = next('leaf');
        const notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
        const notAfter = options.notAfter ?? new Date(Date.now() + 90 * DAY_MS);
        await openssl(
          [
            'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
            '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`, '-subj', `/CN=${names[0]}`,
            '-addext', `subjectAltName=${subjectAltName(names)}`,
          ],
          dir,
        );
        await openssl(
          [
            'ca', '-batch', '-notext', '-config', `${stem}.cnf`, '-in', `${leaf}.csr`, '-out', `${leaf}.crt`,
            '-startdate', opensslDate(notBefore), '-enddate', opensslDate(notAfter),
          ],
          dir,
        );
        return keyPair(leaf);
      },
    };
  };

  return {
    dir,
    createAuthority,
    selfSigned,
    writeFile: async (name, text) => {
      const file = path.join(dir, name);
      await writeFile(file, text);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
