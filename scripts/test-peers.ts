// `npm test` starts real Debian programs (BIND, HAProxy, Chromium…) as test peers. This runs first: it
// installs the missing ones with apt-get (as root, or through sudo without a password prompt), printing
// what it installs, and otherwise stops at once with the line to run. `--check` only reports.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Peer {
  /** The binary the tests start, at the path they start it from. */
  binary: string;
  package: string;
  why: string;
}

const TEST_PEERS: readonly Peer[] = [
  { binary: '/usr/sbin/named', package: 'bind9', why: 'the rfc2136 provider and dns probe tests update and query a real BIND' },
  { binary: '/usr/bin/nsupdate', package: 'bind9-dnsutils', why: "cross-checks Vigil's TSIG signer against BIND's own client (nsupdate, dig)" },
  { binary: '/usr/sbin/haproxy', package: 'haproxy', why: "the haproxy provider tests set weights through a real HAProxy's runtime API" },
  { binary: '/usr/bin/promtool', package: 'prometheus', why: 'the prometheus SLI source reads a real Prometheus loaded with promtool blocks and scraping loopback counters' },
  { binary: '/usr/bin/docker-compose', package: 'docker-compose', why: 'validates docker-compose.yml (`docker-compose config`, no engine needed)' },
  { binary: '/usr/bin/chromium', package: 'chromium', why: 'browser tests of the pages (playwright-core drives Debian’s Chromium)' },
];

function missingPeers(): Peer[] {
  return TEST_PEERS.filter((peer) => !existsSync(peer.binary));
}

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/** How to reach apt-get with root rights: directly, through passwordless sudo, or not at all. */
function privilege(): string[] | null {
  if (process.getuid?.() === 0) return [];
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return sudo.status === 0 ? ['sudo', '-n'] : null;
}

function main(): number {
  const missing = missingPeers();
  if (missing.length === 0) return 0;
  const packages = [...new Set(missing.map((p) => p.package))];
  const line = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  process.stderr.write(`test peers missing:\n${missing.map((p) => `  ${p.package.padEnd(16)}${p.binary}: ${p.why}\n`).join('')}`);
  if (process.argv.includes('--check')) return 1;
  const prefix = privilege();
  if (prefix === null || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write(`cannot install them here (needs apt-get as root or passwordless sudo). Run:\n  sudo sh -c '${line}'\nthen npm test again.\n`);
    return 1;
  }
  process.stderr.write(`installing: ${packages.join(' ')}\n`);
  const [head, ...rest] = prefix;
  const apt = (args: string[]) => (head === undefined ? run('apt-get', args) : run(head, [...rest, 'apt-get', ...args]));
  if (!apt(['update']) || !apt(['install', '-y', '--no-install-recommends', ...packages])) {
    process.stderr.write(`apt-get failed; run it by hand:\n  sudo sh -c '${line}'\n`);
    return 1;
  }
  const still = missingPeers();
  if (still.length > 0) {
    process.stderr.write(`installed, but still missing: ${still.map((p) => p.binary).join(', ')}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
