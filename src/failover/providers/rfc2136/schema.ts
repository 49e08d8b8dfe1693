// The `rfc2136` provider's config: which server, zone and name, and the TSIG key that may update them.
import { z } from 'zod';
import { fqdn, isWithin } from '../dns-name.js';
import { hostPort } from '../host-port.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const tsigSecret = z
  .string()
  .min(1)
  .regex(BASE64, { message: 'must be the base64 secret of the key (as in named.conf or tsig-keygen output)' });

const tsigKeyConfig = z
  .strictObject({
    /** The key's name as the server knows it (named.conf `key "NAME"`). */
    name: fqdn,
    algorithm: z.literal('hmac-sha256').default('hmac-sha256'),
    /** The base64 secret; prefer secretEnv, which keeps it out of YAML. */
    secret: tsigSecret.optional(),
    /** Environment variable holding the base64 secret, read when the provider talks to the server. */
    secretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be an environment variable name, e.g. VIGIL_TSIG_SECRET' })
      .optional(),
  })
  .superRefine((key, ctx) => {
    if ((key.secret === undefined) === (key.secretEnv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['secretEnv'], message: 'set exactly one of key.secret and key.secretEnv' });
    }
  });

export const rfc2136ProviderSchema = z
  .strictObject({
    kind: z.literal('rfc2136'),
    /** The primary server that accepts updates for the zone. */
    server: hostPort(53, '192.0.2.53:53'),
    zone: fqdn,
    /** The name whose A/AAAA records carry the traffic. */
    name: fqdn,
    ttl: z.number().int().min(0).max(86_400).default(30),
    /** Where the exact weights are kept; default `_vigil-weights.<name>`. */
    weightsName: fqdn.optional(),
    key: tsigKeyConfig,
  })
  .superRefine((config, ctx) => {
    if (!isWithin(config.name, config.zone)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `${config.name} is not inside zone ${config.zone}` });
    }
    if (config.weightsName !== undefined && !isWithin(config.weightsName, config.zone)) {
      ctx.addIssue({ code: 'custom', path: ['weightsName'], message: `${config.weightsName} is not inside zone ${config.zone}` });
    }
    if (config.weightsName === config.name) {
      ctx.addIssue({ code: 'custom', path: ['weightsName'], message: 'must differ from name: Vigil replaces the whole TXT RRset at weightsName' });
    }
  });

export type Rfc2136ProviderConfig = z.output<typeof rfc2136ProviderSchema>;
