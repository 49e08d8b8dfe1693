// The small part of PromQL that SLO interchange needs: counter series selectors, the
// `sum(rate(SELECTOR[window]))` shapes that Sloth and OpenSLO specs wrap them in, and the complement
// of an error selector (errors = total − good only when one matcher splits total in two).

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface Selector {
  metric: string | null;
  matchers: Matcher[];
}

export class PromqlShapeError extends Error {}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const OP = /^(=~|!~|!=|=)/;

function unquote(text: string): { value: string; rest: string } {
  const quote = text[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') throw new PromqlShapeError('a label value must be quoted');
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === quote) return { value, rest: text.slice(i + 1) };
    if (ch === '\\' && quote !== '`' && i + 1 < text.length) {
      const next = text[++i] as string;
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else value += ch;
  }
  throw new PromqlShapeError('a label value is not closed');
}

/** Parses a whole instant-vector selector such as `http_requests_total{job="api",code!~"5.."}`. */
export function parseSelector(text: string): Selector {
  let rest = text.trim();
  const name = METRIC.exec(rest);
  const metric = name ? name[0] : null;
  if (name) rest = rest.slice(name[0].length).trimStart();
  const matchers: Matcher[] = [];
  if (rest.startsWith('{')) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith('}')) {
      if (rest === '') throw new PromqlShapeError('the matcher list is not closed with }');
      const label = LABEL.exec(rest);
      if (!label) throw new PromqlShapeError(`expected a label name at "${rest.slice(0, 20)}"`);
      rest = rest.slice(label[0].length).trimStart();
      const op = OP.exec(rest);
      if (!op) throw new PromqlShapeError(`expected =, !=, =~ or !~ after ${label[0]}`);
      const quoted = unquote(rest.slice(op[0].length).trimStart());
      matchers.push({ label: label[0], op: op[0] as MatchOp, value: quoted.value });
      rest = quoted.rest.trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith('}')) throw new PromqlShapeError(`expected , or } at "${rest.slice(0, 20)}"`);
    }
    rest = rest.slice(1).trimStart();
  }
  if (rest !== '') throw new PromqlShapeError(`not a plain series selector: unexpected "${rest.slice(0, 30)}"`);
  if (metric === null && matchers.length === 0) throw new PromqlShapeError('an empty selector matches nothing');
  return { metric, matchers };
}

export function formatSelector({ metric, matchers }: Selector): string {
  const inner = matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(',');
  return `${metric ?? ''}${matchers.length > 0 || metric === null ? `{${inner}}` : ''}`;
}

// `sum(rate(SEL[W]))`, `sum by (a, b) (increase(SEL[W]))`, `sum(rate(SEL[W])) by (a)` or a bare `rate(SEL[W])`.
const WRAPPED =
  /^\s*(?:sum\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\(\s*)?(rate|increase)\s*\(\s*([^[\]]+?)\s*\[\s*([^\]]+?)\s*\]\s*\)\s*(?:\)\s*(?:(?:by|without)\s*\([^()]*\)\s*)?)?$/;

/**
 * The counter selector a ratio query is built on: the query itself when it is a selector, or the selector
 * inside `sum(rate(…[window]))` / `increase` forms. Anything else (arithmetic, other functions) throws.
 */
export function counterSelector(query: string): Selector {
  const wrapped = WRAPPED.exec(query);
  if (wrapped) {
    const opens = (query.match(/\(/g) ?? []).length;
    const closes = (query.match(/\)/g) ?? []).length;
    if (opens !== closes) throw new PromqlShapeError('unbalanced parentheses');
    return parseSelector(wrapped[2] as string);
  }
  try {
    return parseSelector(query);
  } catch (error) {
    if (/\b(rate|increase|irate|sum|avg|max|min|count|histogram_quantile)\s*\(|[/*+-]\s*[\d(]/.test(query)) {
      throw new PromqlShapeError(
        'is neither a counter selector nor sum(rate(SELECTOR[window])) / sum(increase(SELECTOR[window])) of one',
      );
    }
    throw error;
  }
}

const NEGATED: Record<MatchOp, MatchOp> = { '=': '!=', '!=': '=', '=~': '!~', '!~': '=~' };

function sameMatcher(a: Matcher, b: Matcher): boolean {
  return a.label === b.label && a.op === b.op && a.value === b.value;
}

/**
 * The selector of good events given errors and total: errors must be total plus exactly one matcher, whose
 * negation then selects the rest (`code=~"5.."` → `code!~"5.."`). Two extra matchers would make good a
 * union (`not A or not B`) that no single selector can express, so that is refused.
 */
export function goodFromErrors(errors: Selector, total: Selector): Selector {
  if (errors.metric !== total.metric) {
    throw new PromqlShapeError(`the error and total selectors count different metrics (${errors.metric} vs ${total.metric})`);
  }
  const missing = total.matchers.filter((t) => !errors.matchers.some((e) => sameMatcher(e, t)));
  if (missing.length > 0) {
    throw new PromqlShapeError(`the error selector lacks total's matcher ${formatSelector({ metric: null, matchers: missing })}`);
  }
  const extra = errors.matchers.filter((e) => !total.matchers.some((t) => sameMatcher(e, t)));
  if (extra.length !== 1) {
    throw new PromqlShapeError(
      `the error selector must add exactly one matcher to total's (it adds ${extra.length}), so that good = total minus errors is one selector`,
    );
  }
  const [split] = extra as [Matcher];
  return { metric: total.metric, matchers: [...total.matchers, { ...split, op: NEGATED[split.op] }] };
}
