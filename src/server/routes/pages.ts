// The pages: each reads the same views as its JSON API (views.ts) and renders them on the server; the
// pages' scripts add filtering, charts, confirmations and live updates. Unknown names are 404 pages.
import type { Request, Response } from 'express';
import { DrillError, type DrillRunner } from '../../failover/drills/runner.js';
import { periodBounds, reportCsv, reportMarkdown } from '../../slo/period-report.js';
import type { Caller } from '../auth/guard.js';
import { InputError, NotFoundError } from '../errors.js';
import { renderDrillReport, renderDrills } from '../pages/drills.js';
import { renderFailover } from '../pages/failover.js';
import { escapeHtml } from '../pages/html.js';
import { renderPage, type Viewer } from '../pages/layout.js';
import { renderOverview } from '../pages/overview.js';
import { renderProbes } from '../pages/probes.js';
import { renderReports } from '../pages/reports.js';
import { renderSloDetail } from '../pages/slo-detail.js';
import { reportQuery } from '../period-reports.js';
import type { Runbooks } from '../runbooks.js';
import type { Views } from '../views.js';
import type { RouteHandlers } from './mount.js';
import { pathParam, queryText } from './parse.js';

type PageKey = 'GET /' | 'GET /slos/:name' | 'GET /probes' | 'GET /failover' | 'GET /drills' | 'GET /drills/:name/runs/:run' | 'GET /reports' | 'GET /runbooks/:name';

export function viewerOf(caller: Caller | null): Viewer {
  return { name: caller?.identity.name ?? 'anonymous', roles: caller?.identity.roles ?? [], csrfToken: caller?.session?.csrfToken ?? null };
}

const html = (res: Response, page: string) => {
  res.type('html').send(page);
};

/** The parameters of a report request, from the page's query or the API's. */
export function reportParams(req: Request) {
  return { period: queryText(req, 'period'), start: queryText(req, 'start'), squad: queryText(req, 'squad'), timeZone: queryText(req, 'timeZone') };
}

const DAY_MS = 86_400_000;
const day = (ms: number, zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

export function pageHandlers(views: Views, runbooks: Runbooks, drills: DrillRunner | null, now: () => number): Pick<RouteHandlers, PageKey> {
  return {
    'GET /': (_req, res, caller) => html(res, renderOverview(views.overview(), viewerOf(caller))),
    'GET /slos/:name': (req, res, caller) => html(res, renderSloDetail(views.sloDetail(pathParam(req, 'name')), viewerOf(caller))),
    'GET /probes': (_req, res, caller) => html(res, renderProbes(views.probeSummary(), viewerOf(caller))),
    'GET /failover': async (_req, res, caller) => html(res, renderFailover(await views.failoverView(), viewerOf(caller))),
    'GET /drills': (_req, res, caller) => html(res, renderDrills(views.drillsView(), viewerOf(caller))),
    'GET /drills/:name/runs/:run': (req, res, caller) => {
      if (!drills) throw new NotFoundError('no drills are configured');
      try {
        html(res, renderDrillReport(drills.report(pathParam(req, 'name'), pathParam(req, 'run')), viewerOf(caller)));
      } catch (error) {
        if (error instanceof DrillError) throw new NotFoundError(error.message);
        throw error;
      }
    },
    'GET /reports': (req, res, caller) => {
      const params = reportParams(req);
      const format = queryText(req, 'format') ?? 'html';
      const query = reportQuery(params, views.definitions(), now());
      const report = views.report(query);
      const stem = `vigil-report-${report.period}-${report.from.slice(0, 10)}${report.squad ? `-${report.squad.replace(/[^A-Za-z0-9_-]/g, '_')}` : ''}`;
      if (format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`${stem}.csv`).send(reportCsv(report));
        return;
      }
      if (format === 'md') {
        res.type('text/markdown; charset=utf-8').attachment(`${stem}.md`).send(reportMarkdown(report));
        return;
      }
      if (format !== 'html') throw new InputError(`format: "${format.slice(0, 20)}" is not one of html, csv, md`);
      const { from, to } = periodBounds(query.period, query.at, query.timeZone);
      html(
        res,
        renderReports(
          {
            report,
            squads: [...new Set(views.definitions().map((d) => d.squad))].sort(),
            query: { period: query.period, start: day(query.at, query.timeZone), squad: query.squad ?? '', timeZone: query.timeZone },
            previousStart: day(from - DAY_MS / 2, query.timeZone),
            nextStart: day(to + DAY_MS / 2, query.timeZone),
          },
          viewerOf(caller),
        ),
      );
    },
    'GET /runbooks/:name': (req, res, caller) => {
      const name = pathParam(req, 'name');
      const runbook = runbooks.read(name);
      if (!runbook) throw new NotFoundError(`no runbook named "${name}"`);
      html(res, renderPage({ title: name, nav: null, viewer: viewerOf(caller), body: `<p class="muted">${escapeHtml(runbook.file)}</p><div class="markdown">${runbooks.render(runbook.markdown)}</div>` }));
    },
  };
}
