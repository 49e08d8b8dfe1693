// Probe definitions pulled from the server (GET /api/v1/probes?vantage=R), re-polled with If-None-Match.
// A failed or invalid pull keeps the current set; the last good answer is cached on disk so an agent
// restarted while the server is away still probes.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { z } from 'zod';
import { KINDS } from '../config/kinds/index.js';
import { parseYamlFile } from '../config/yaml-document.js';
import type { Logger } from '../lib/logger.js';
import type { ProbeDefinition } from './model.js';

export interface ProbeFeedOptions {
  server: string;
  vantage: string;
  token?: string | undefined;
  /** Time between pulls (default 30 s). */
  pollMs?: number;
  /** Where the last good answer is kept. */
  cacheFile?: string | null;
  logger: Logger;
}

export type PullOutcome =
  | { kind: 'updated'; definitions: ProbeDefinition[] }
  | { kind: 'unchanged' }
  | { kind: 'failed'; message: string };

const answerSchema = z.object({
  probes: z.array(z.object({ source: z.string(), document: z.unknown() })),
});

type Answer = z.output<typeof answerSchema>;

const PROBE_KIND = KINDS.find((k) => k.apiVersion === 'vigil/v1' && k.kind === 'Probe');

export class ProbeFeed {
  private readonly url: string;
  private readonly headers: Record<string, string> = { accept: 'application/json' };
  private readonly pollMs: number;
  private etag: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: ProbeFeedOptions) {
    this.url = `${options.server.replace(/\/+$/, '')}/api/v1/probes?vantage=${encodeURIComponent(options.vantage)}`;
    if (options.token) this.headers.authorization = `Bearer ${options.token}`;
    this.pollMs = options.pollMs ?? 30_000;
  }

  /**
   * Pulls once and then every poll interval, calling `onChange` whenever the definitions change. Resolves
   * with the first set: pulled, else the cached one, else empty (the next successful pull fills it).
   */
  async start(onChange: (definitions: ProbeDefinition[]) => void): Promise<ProbeDefinition[]> {
    const first = await this.pull();
    let initial: ProbeDefinition[] = [];
    if (first.kind === 'updated') initial = first.definitions;
    else {
      const cached = await this.readCache();
      this.options.logger.warn(
        { server: this.options.server, reason: first.kind === 'failed' ? first.message : 'unchanged', cached: cached?.length ?? 0 },
        cached ? 'cannot pull probe definitions: running the cached ones' : 'cannot pull probe definitions yet: will retry',
      );
      initial = cached ?? [];
    }
    this.schedule(onChange);
    return initial;
  }

  /** One GET; never throws. */
  async pull(): Promise<PullOutcome> {
    const headers = this.etag ? { ...this.headers, 'if-none-match': this.etag } : this.headers;
    let status: number;
    let text: string;
    let etag: string | null;
    try {
      const response = await request(this.url, { headers, signal: AbortSignal.timeout(15_000) });
      status = response.statusCode;
      text = await response.body.text();
      const header = response.headers.etag;
      etag = typeof header === 'string' ? header : null;
    } catch (error) {
      return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
    if (status === 304) return { kind: 'unchanged' };
    if (status !== 200) return { kind: 'failed', message: `HTTP ${status}: ${text.slice(0, 300)}` };
    let answer: Answer;
    try {
      answer = answerSchema.parse(JSON.parse(text));
    } catch {
      return { kind: 'failed', message: 'the server answered something other than {"probes": [...]}' };
    }
    const parsed = definitionsOf(answer);
    if ('problems' in parsed) return { kind: 'failed', message: `invalid probe definitions: ${parsed.problems.join('; ')}` };
    this.etag = etag;
    await this.writeCache(text);
    return { kind: 'updated', definitions: parsed.definitions };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(onChange: (definitions: ProbeDefinition[]) => void): void {
    if (this.closed) return;
    this.timer = setTimeout(async () => {
      const outcome = await this.pull();
      if (this.closed) return;
      try {
        if (outcome.kind === 'updated') onChange(outcome.definitions);
        else if (outcome.kind === 'failed') {
          this.options.logger.warn({ server: this.options.server, reason: outcome.message }, 'cannot pull probe definitions: keeping the current ones');
        }
      } catch (error) {
        this.options.logger.error({ err: error }, 'applying pulled probe definitions failed');
      }
      this.schedule(onChange);
    }, this.pollMs);
  }

  private async readCache(): Promise<ProbeDefinition[] | null> {
    if (!this.options.cacheFile) return null;
    try {
      const parsed = definitionsOf(answerSchema.parse(JSON.parse(await readFile(this.options.cacheFile, 'utf8'))));
      return 'definitions' in parsed ? parsed.definitions : null;
    } catch {
      return null;
    }
  }

  private async writeCache(text: string): Promise<void> {
    const file = this.options.cacheFile;
    if (!file) return;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    } catch (error) {
      this.options.logger.warn({ file, err: error }, 'cannot cache the probe definitions');
    }
  }
}

/** Checks the server's documents with this agent's own schemas (it may be a different version). */
function definitionsOf(answer: Answer): { definitions: ProbeDefinition[] } | { problems: string[] } {
  const definitions: ProbeDefinition[] = [];
  const problems: string[] = [];
  for (const { source, document } of answer.probes) {
    const doc = parseYamlFile(source, JSON.stringify(document)).documents[0];
    const loaded = doc && PROBE_KIND ? PROBE_KIND.load(doc) : null;
    const errors = loaded?.problems.filter((p) => p.severity === 'error') ?? [];
    if (loaded?.item?.type === 'probe' && errors.length === 0) definitions.push({ ...loaded.item.definition, source: sourceOf(source) });
    else problems.push(...(errors.length > 0 ? errors.map((p) => `${source}: ${p.message}`) : [`${source}: not a probe document`]));
  }
  return problems.length > 0 ? { problems } : { definitions };
}

/** "file:line:col" as the server sent it, back into a position (for logs). */
function sourceOf(text: string): ProbeDefinition['source'] {
  const match = /^(.*):(\d+):(\d+)$/.exec(text);
  return match ? { file: match[1] ?? text, line: Number(match[2]), col: Number(match[3]) } : { file: text, line: 1, col: 1 };
}
