// Counter selectors out of ratio queries, and good events as the complement of an error selector.
import { describe, expect, it } from 'vitest';
import { counterSelector, formatSelector, goodFromErrors, PromqlShapeError, parseSelector } from './promql-selector.js';

describe('the counter selector a ratio query is built on', () => {
  it.each([
    ['a bare selector is its own selector', 'http_requests_total{job="api",code!~"5.."}', 'http_requests_total{job="api",code!~"5.."}'],
    ['a metric name alone is a selector', 'requests_total', 'requests_total'],
    ['sum(rate(…[window])) yields the selector inside', 'sum(rate(http_requests_total{job="api"}[5m]))', 'http_requests_total{job="api"}'],
    ['sum by (…) (increase(…)) yields the selector inside', 'sum by (region) (increase(jobs_total{queue="a"}[1h]))', 'jobs_total{queue="a"}'],
    ['a trailing by clause is accepted', 'sum(rate(x_total{a=\'b\'}[5m])) by (region)', 'x_total{a="b"}'],
    ['single quotes and escapes are read as PromQL reads them', `x_total{path="a\\"b"}`, 'x_total{path="a\\"b"}'],
    ['a selector without a metric name keeps its matchers', '{__name__="x_total",job="a"}', '{__name__="x_total",job="a"}'],
  ])('%s', (_sentence, query, expected) => {
    expect(formatSelector(counterSelector(query))).toBe(expected);
  });

  it.each([
    ['a ratio of two rates is not a counter', 'sum(rate(a_total[5m])) / sum(rate(b_total[5m]))'],
    ['a quantile is not a counter', 'histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le))'],
    ['an unclosed matcher list', 'x_total{job="a"'],
    ['an unquoted label value', 'x_total{job=a}'],
    ['an empty selector', '{}'],
  ])('refuses %s', (_sentence, query) => {
    expect(() => counterSelector(query)).toThrow(PromqlShapeError);
  });
});

describe('good events as total minus one error matcher', () => {
  it.each([
    ['a 5xx regex becomes its negation', 'x{job="a",code=~"5.."}', 'x{job="a"}', 'x{job="a",code!~"5.."}'],
    ['an inequality becomes an equality', 'x{status!="ok"}', 'x', 'x{status="ok"}'],
    ['an equality becomes an inequality', 'x{outcome="failed"}', 'x', 'x{outcome!="failed"}'],
    ['a negative regex becomes a positive one', 'x{code!~"2.."}', 'x', 'x{code=~"2.."}'],
  ])('%s', (_sentence, errors, total, good) => {
    expect(formatSelector(goodFromErrors(parseSelector(errors), parseSelector(total)))).toBe(good);
  });

  it.each([
    ['two extra matchers (good would be a union)', 'x{code=~"5..",method="GET"}', 'x', /adds 2/],
    ['no extra matcher (errors would equal total)', 'x{job="a"}', 'x{job="a"}', /adds 0/],
    ['different metrics', 'errors_total', 'requests_total', /different metrics/],
    ['a total matcher the error selector lacks', 'x{code="500"}', 'x{job="a"}', /lacks total's matcher/],
  ])('refuses %s', (_sentence, errors, total, message) => {
    expect(() => goodFromErrors(parseSelector(errors), parseSelector(total))).toThrow(message);
  });
});
