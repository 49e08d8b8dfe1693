// The `haproxy` provider's config: where HAProxy's runtime API listens, and which server serves each region.
import { z } from 'zod';
import { hostPort } from '../host-port.js';

/** HAProxy's own rule for proxy and server names; it also keeps ";" and newlines out of commands. */
const haproxyName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be an HAProxy name: letters, digits, "_", ".", ":" and "-"' });

export const haproxyProviderSchema = z
  .strictObject({
    kind: z.literal('haproxy'),
    /** Unix socket of `stats socket PATH level admin`; relative paths are resolved against vigil.yaml's folder. */
    socket: z.string().min(1).optional(),
    /** TCP address of `stats socket ipv4@HOST:PORT level admin`. */
    address: hostPort(null, '127.0.0.1:9999').optional(),
    backend: haproxyName,
    /** Region → the server (in `backend`) that carries its traffic. */
    servers: z.record(z.string(), haproxyName).refine((servers) => Object.keys(servers).length > 0, { message: 'must map at least one region to a server' }),
  })
  .superRefine((config, ctx) => {
    if ((config.socket === undefined) === (config.address === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['socket'], message: 'set exactly one of socket (a unix path) and address (host:port)' });
    }
  });

export type HaproxyProviderConfig = z.output<typeof haproxyProviderSchema>;
