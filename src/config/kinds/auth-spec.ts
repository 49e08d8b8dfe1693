// vigil.yaml spec.auth: who may call the server. Each entry names an identity, its role and its token (from
// the environment, or only the token's SHA-256); the roles are one const array that the schema, the route
// table and the API's JSON all read.
import { z } from 'zod';
import { withEnv } from '../../lib/env-reference.js';
import { duration } from '../fields.js';

/** viewer reads; squad also silences its squads' alerts; imoc also moves traffic; admin does all; prober only ships. */
export const ROLES = ['viewer', 'squad', 'imoc', 'admin', 'prober'] as const;
export type Role = (typeof ROLES)[number];

/** Names the server itself uses as actors, which no token may take. */
export const RESERVED_IDENTITIES = ['vigil', 'anonymous'] as const;

export const identityName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, {
    message: 'must be 1-100 characters: letters, digits, ".", "_", "@" and "-", starting with a letter or digit',
  })
  .refine((name) => !(RESERVED_IDENTITIES as readonly string[]).includes(name.toLowerCase()), {
    message: `is reserved (${RESERVED_IDENTITIES.join(', ')} are the server's own actors)`,
  });

const tokenEntry = z
  .strictObject({
    name: identityName,
    role: z.enum(ROLES),
    /** Role squad: the squads (SLO metadata.squad) whose alerts this identity may silence. */
    squads: z.array(z.string().min(1)).min(1).optional(),
    /** The token itself, normally a `${NAME}` reference; hashed at start-up, never logged. */
    token: withEnv().optional(),
    /** Or only the token's SHA-256, in hex (`vigil token new` prints it). */
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hexadecimal digits (the SHA-256 of the token)' })
      .transform((hex) => hex.toLowerCase())
      .optional(),
  })
  .superRefine((entry, ctx) => {
    if ((entry.token === undefined) === (entry.sha256 === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: `give exactly one of token (e.g. "\${VIGIL_TOKEN_ALICE}") or sha256` });
    }
    if (entry.role === 'squad' && entry.squads === undefined) {
      ctx.addIssue({ code: 'custom', path: ['squads'], message: 'role squad needs squads: [...], the squads whose alerts it may silence' });
    }
    if (entry.role !== 'squad' && entry.squads !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['squads'], message: `only role squad takes squads (role ${entry.role} does not)` });
    }
  });

export type TokenEntry = z.output<typeof tokenEntry>;

export const authSpec = z
  .strictObject({
    tokens: z
      .array(tokenEntry)
      .min(1, 'must list at least one token')
      .superRefine((entries, ctx) => {
        const seen = new Map<string, number>();
        entries.forEach((entry, i) => {
          const first = seen.get(entry.name);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate identity "${entry.name}" (first at tokens[${first}])` });
          else seen.set(entry.name, i);
        });
      }),
    /** How long a browser session lasts after sign-in. */
    sessionTtl: duration({ min: 5 * 60_000 })
      .refine((ms) => ms <= 7 * 24 * 3_600_000, { message: 'must be at most 7d' })
      .default(12 * 3_600_000),
  })
  .optional();

export type AuthSpec = NonNullable<z.output<typeof authSpec>>;
