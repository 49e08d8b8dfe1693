// The `haproxy` provider's config: where HAProxy's runtime API listens, the backend, and which of its servers serve each region.
import { z } from 'zod';
import { duration, rfc1123Label } from '../../../config/fields.js';
import { hostPort } from '../host-port.js';

/** HAProxy's own rule for proxy and server names; it also keeps ";", spaces and newlines out of commands. */
const haproxyName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be an HAProxy name: letters, digits, "_", ".", ":" and "-"' });

const regionServers = z
  .array(haproxyName)
  .min(1, 'must list at least one server of the backend')
  .refine((names) => new Set(names).size === names.length, { message: 'lists a server twice' });

export const haproxyProviderSchema = z
  .strictObject({
    kind: z.literal('haproxy'),
    /** Unix socket of `stats socket PATH level admin`; relative paths are resolved against vigil.yaml's folder. */
    socket: z.string().min(1).optional(),
    /** TCP address of `stats socket ipv4@HOST:PORT level admin`. */
    address: hostPort(null, '127.0.0.1:9999').optional(),
    /** The backend whose servers carry the regions' traffic. */
    backend: haproxyName,
    /** Region → the servers of `backend` that carry its traffic. */
    servers: z.record(rfc1123Label, regionServers).refine((servers) => Object.keys(servers).length > 0, {
      message: 'must map at least one region to its servers',
    }),
    /** Limit on each runtime API command (connect, send, answer). */
    timeout: duration({ min: 1 }).default(5_000),
  })
  .superRefine((config, ctx) => {
    if ((config.socket === undefined) === (config.address === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['socket'], message: 'set exactly one of socket (a unix path) and address (host:port)' });
    }
    const owner = new Map<string, string>();
    for (const [region, names] of Object.entries(config.servers)) {
      for (const name of names) {
        const previous = owner.get(name);
        if (previous !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['servers', region], message: `server ${name} is already a server of ${previous}` });
        }
        owner.set(name, region);
      }
    }
  });

export type HaproxyProviderConfig = z.output<typeof haproxyProviderSchema>;
