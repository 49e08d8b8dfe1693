// `vigil token new NAME --role ROLE`: a fresh random token and the spec.auth.tokens line that admits it by
// its SHA-256 only (so vigil.yaml holds no secret); `vigil token hash` prints the SHA-256 of a token on stdin.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { identityName, ROLES, type Role } from '../config/kinds/auth-spec.js';
import { newToken, sha256Hex } from '../server/auth/tokens.js';
import type { Cli } from './io.js';

function nameArgument(value: string): string {
  const parsed = identityName.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'not a valid name');
  return value;
}

function squadList(value: string): string[] {
  const squads = value.split(',').map((s) => s.trim());
  if (squads.some((s) => s === '')) throw new InvalidArgumentError('a comma-separated list of squad names, e.g. playback,search');
  return squads;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export function registerToken(program: Command, { io, setExit }: Cli): void {
  const token = program.command('token').description('make tokens for spec.auth');
  token
    .command('new')
    .description('print a fresh token (32 random bytes, base64url) and its spec.auth.tokens line')
    .argument('<name>', 'the identity: recorded as the actor of everything done with this token', nameArgument)
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
    .option('--squads <list>', 'role squad: the squads whose alerts it may silence, comma-separated', squadList)
    .action((name: string, options: { role: Role; squads?: string[] }) => {
      if ((options.role === 'squad') !== (options.squads !== undefined)) {
        io.err(options.role === 'squad' ? 'vigil token: role squad needs --squads\n' : 'vigil token: only role squad takes --squads\n');
        setExit(2);
        return;
      }
      const secret = newToken();
      const squads = options.squads ? `, squads: [${options.squads.join(', ')}]` : '';
      io.out(`token:  ${secret}\n`);
      io.out(`spec.auth.tokens entry (holds only the hash; give the token to ${name} and keep no other copy):\n`);
      io.out(`  - { name: ${name}, role: ${options.role}${squads}, sha256: "${sha256Hex(secret)}" }\n`);
      setExit(0);
    });
  token
    .command('hash')
    .description('print the SHA-256 (hex) of a token read from stdin, for a spec.auth.tokens sha256 field')
    .action(async () => {
      const text = (await readStdin()).replace(/\r?\n$/, '');
      if (text === '') {
        io.err('vigil token hash: give the token on stdin, e.g. printf %s "$TOKEN" | vigil token hash\n');
        setExit(2);
        return;
      }
      io.out(`${sha256Hex(text)}\n`);
      setExit(0);
    });
}
