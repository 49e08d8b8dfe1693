// The `tls:` section of a tls probe and its targets (`address: host:port`), as YAML authors write them.
import { z } from 'zod';
import { addressTarget, ipFamily, tlsTrustFields } from '../schema-fields.js';

export const tlsSettingsSchema = z.strictObject({
  ...tlsTrustFields,
  /** Fail (assertion_failed) when the earliest certificate in the chain expires in fewer days than this. */
  minDaysLeft: z.number().nonnegative('must be a number of days, 0 or more (e.g. 14)').optional(),
  ipFamily,
});

export type TlsSettings = z.output<typeof tlsSettingsSchema>;

export const tlsTargetSchema = addressTarget({});

export type TlsTarget = z.output<typeof tlsTargetSchema>;
