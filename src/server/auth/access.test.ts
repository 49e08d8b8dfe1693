import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authSpec } from '../../config/kinds/auth-spec.js';
import { ConfigError, type Problem } from '../../config/problems.js';
import { accessFromConfig, isLoopbackHost } from './access.js';
import { grants, rolesGranting } from './roles.js';
import { newToken, sha256Hex } from './tokens.js';

const problemAt = (path: ReadonlyArray<string | number>, message: string): Problem => ({ file: 'vigil.yaml', line: path.length, col: 1, severity: 'error', message: `${path.join('.')}: ${message}` });

const auth = (tokens: unknown[]) => authSpec.parse({ tokens });

describe('access from vigil.yaml and the environment', () => {
  it('is open without spec.auth and without an ingest token', () => {
    const access = accessFromConfig({ auth: undefined, ingestToken: undefined, env: {}, problemAt });
    expect(access.mode).toBe('open');
    expect(access.tokens.identify('anything')).toBeNull();
  });

  it('with only VIGIL_INGEST_TOKEN, knows one identity that is both prober and imoc', () => {
    const access = accessFromConfig({ auth: undefined, ingestToken: 'the-ingest-token', env: {}, problemAt });
    expect(access.mode).toBe('ingest-token');
    expect(access.tokens.identify('the-ingest-token')).toMatchObject({ name: 'ingest-token', roles: ['prober', 'imoc'] });
    expect(access.tokens.identify('the-ingest-toke')).toBeNull();
  });

  it('with spec.auth, finds identities by their token from the environment or by a SHA-256 given in hex of either case', () => {
    const viewerToken = newToken();
    const access = accessFromConfig({
      auth: auth([
        { name: 'alice', role: 'imoc', token: `\${ALICE}` },
        { name: 'grafana', role: 'viewer', sha256: sha256Hex(viewerToken).toUpperCase() },
        { name: 'play', role: 'squad', squads: ['playback'], token: `prefix-\${PLAY}-suffix` },
      ]),
      ingestToken: 'ignored-once-spec-auth-exists',
      env: { ALICE: 'alice-token-0123456789', PLAY: 'p0123456789' },
      problemAt,
    });
    expect(access.mode).toBe('tokens');
    expect(access.sessionTtlMs).toBe(12 * 3_600_000);
    expect(access.tokens.identify('alice-token-0123456789')).toMatchObject({ name: 'alice', roles: ['imoc'], squads: [] });
    expect(access.tokens.identify(viewerToken)).toMatchObject({ name: 'grafana', roles: ['viewer'] });
    expect(access.tokens.identify('prefix-p0123456789-suffix')).toMatchObject({ name: 'play', squads: ['playback'] });
    expect(access.tokens.identify('ignored-once-spec-auth-exists')).toBeNull();
    // A session remembers the digest; a rotated token no longer matches it.
    const digest = createHash('sha256').update('alice-token-0123456789').digest('hex');
    expect(access.tokens.current('alice', digest)?.name).toBe('alice');
    expect(access.tokens.current('alice', sha256Hex('an-older-token-0000'))).toBeNull();
    expect(access.tokens.current('alice', 'not hex')).toBeNull();
  });

  it.each([
    ['an unset variable', [{ name: 'a', role: 'viewer', token: `\${NOPE}` }], {}, 'environment variable NOPE is not set'],
    ['a token shorter than 16 characters', [{ name: 'a', role: 'viewer', token: `\${SHORT}` }], { SHORT: 'hunter2hunter2' }, 'has 14 characters; use at least 16'],
    [
      'two identities with one token',
      [
        { name: 'a', role: 'viewer', token: `\${SAME}` },
        { name: 'b', role: 'admin', sha256: sha256Hex('same-token-0123456789') },
      ],
      { SAME: 'same-token-0123456789' },
      '"b" has the same token as "a"',
    ],
  ])('refuses to start with %s, at the field', (_what, tokens, env, message) => {
    let error: unknown;
    try {
      accessFromConfig({ auth: auth(tokens), ingestToken: undefined, env, problemAt });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.message).join('\n')).toContain(message);
  });
});

describe('roles', () => {
  it.each([
    ['a viewer reads', ['viewer'], ['viewer'], true],
    ['a viewer does not move traffic', ['viewer'], ['imoc'], false],
    ['an imoc reads', ['imoc'], ['viewer'], true],
    ['an imoc does not silence squads’ alerts', ['imoc'], ['squad'], false],
    ['a squad reads', ['squad'], ['viewer'], true],
    ['a squad does not move traffic', ['squad'], ['imoc'], false],
    ['a prober ships', ['prober'], ['prober'], true],
    ['a prober reads no report', ['prober'], ['viewer'], false],
    ['an admin does everything, shipping too', ['admin'], ['prober'], true],
    ['the ingest token ships and moves traffic', ['prober', 'imoc'], ['imoc'], true],
  ] as const)('%s', (_sentence, roles, needed, allowed) => {
    expect(grants(roles, needed)).toBe(allowed);
  });

  it('names the needed role first, then the others that would do', () => {
    expect(rolesGranting(['imoc'])).toEqual(['imoc', 'admin']);
    expect(rolesGranting(['viewer'])).toEqual(['viewer', 'squad', 'imoc', 'admin']);
    expect(rolesGranting(['prober', 'viewer'])).toEqual(['prober', 'viewer', 'squad', 'imoc', 'admin']);
  });
});

describe('loopback addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.10.20.30', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['10.0.0.1', false],
    ['fe80::1', false],
    ['vigil.internal', false],
    ['128.0.0.1', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
