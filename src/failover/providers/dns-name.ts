// Config fields shared by the DNS providers: fully qualified names and record types.
import { z } from 'zod';

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * A fully qualified DNS name, lowercased and with its trailing dot, as both DNS APIs compare names:
 * "App.Example.com" and "app.example.com." are the same record.
 */
export const fqdn = z.string().transform((text, ctx) => {
  const name = text.toLowerCase().replace(/\.?$/, '.');
  const labels = name.slice(0, -1).split('.');
  if (name.length > 254 || !labels.every((label) => LABEL.test(label))) {
    ctx.issues.push({
      code: 'custom',
      input: text,
      message: `"${text}" is not a fully qualified DNS name (e.g. app.example.com.)`,
    });
    return z.NEVER;
  }
  return name;
});

/** Whether `name` is `zone` or below it (both fully qualified). */
export function isWithin(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
