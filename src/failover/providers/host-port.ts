// A `host:port` config field ("192.0.2.53:53", "[2001:db8::53]:53", "ns1.example.com"), parsed once.
import { isIPv6 } from 'node:net';
import { z } from 'zod';

export interface HostPort {
  host: string;
  port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?)*\.?$/;

export function parseHostPort(text: string, defaultPort: number | null): HostPort | null {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const host = bracketed ? bracketed[1] : isIPv6(text) ? text : plain?.[1];
  const portText = bracketed ? bracketed[2] : isIPv6(text) ? undefined : plain?.[2];
  if (host === undefined || !(isIPv6(host) || HOSTNAME.test(host))) return null;
  const port = portText === undefined ? defaultPort : Number(portText);
  if (port === null || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host, port };
}

/** A `host:port` string field; `defaultPort` (if any) applies when the port is left out. */
export function hostPort(defaultPort: number | null, example: string) {
  return z.string().transform((text, ctx): HostPort => {
    const parsed = parseHostPort(text, defaultPort);
    if (parsed) return parsed;
    const shape = defaultPort === null ? 'host:port' : `host[:port] (port ${defaultPort} when left out)`;
    ctx.issues.push({ code: 'custom', input: text, message: `"${text}" is not ${shape}, e.g. ${example}` });
    return z.NEVER;
  });
}
