// /api/v1/slos: the latest SLO report, whole or for one SLO, with the silences in effect marked on its
// alerts; the compact overview of every SLO; one SLO's history over time and the events touching it.

import type { Clock } from '../../lib/clock.js';
import { MINUTE_MS } from '../../lib/duration.js';
import { longestPeriodMinutes } from '../../slo/math/windows.js';
import type { SloMonitor } from '../../slo/monitor.js';
import type { SloReport } from '../../slo/report-format.js';
import type { SloSourceStatus } from '../../slo/sources/puller.js';
import type { BucketStore } from '../../store/bucket-store.js';
import { InputError, NotFoundError } from '../errors.js';
import { type EventSources, historyQuery, sloEvents, sloHistory } from '../slo-timeline.js';
import type { Views } from '../views.js';
import type { RouteHandlers } from './mount.js';
import { pathParam, queryDuration, queryInstant, queryText } from './parse.js';

type SloKey = 'GET /api/v1/slos' | 'GET /api/v1/slos/:name' | 'GET /api/v1/overview' | 'GET /api/v1/slos/:name/history' | 'GET /api/v1/slos/:name/events';

export interface SloRouteSources {
  monitor: SloMonitor;
  silenced: (report: SloReport) => SloReport;
  views: Views;
  store: BucketStore;
  events: EventSources;
  clock: Clock;
  /** A ratio SLO's metric source: last error, how far it is read, warnings (null for other SLOs). */
  sourceStatus: (slo: string) => SloSourceStatus | null;
}

export function sloHandlers({ monitor, silenced, views, store, events, clock, sourceStatus }: SloRouteSources): Pick<RouteHandlers, SloKey> {
  return {
    'GET /api/v1/slos': (_req, res) => {
      res.json(silenced(monitor.latest()));
    },
    'GET /api/v1/slos/:name': (req, res) => {
      const report = monitor.latest();
      const name = pathParam(req, 'name');
      const slo = report.slos.find((s) => s.name === name);
      if (!slo) throw new NotFoundError(`no SLO named "${name}"`);
      const [marked] = silenced({ at: report.at, slos: [slo] }).slos;
      res.json({ at: report.at, slo: marked ?? slo, source: sourceStatus(name) });
    },
    'GET /api/v1/overview': (_req, res) => {
      res.json(views.overview());
    },
    'GET /api/v1/slos/:name/history': (req, res) => {
      const def = views.definition(pathParam(req, 'name'));
      const query = historyQuery(
        def,
        { from: queryInstant(req, 'from'), to: queryInstant(req, 'to'), stepMs: queryDuration(req, 'step'), region: queryText(req, 'region'), vantage: queryText(req, 'vantage') },
        clock.now(),
      );
      res.json(sloHistory(store, def, query, clock.now()));
    },
    'GET /api/v1/slos/:name/events': (req, res) => {
      const def = views.definition(pathParam(req, 'name'));
      const to = queryInstant(req, 'to') ?? clock.now();
      const from = queryInstant(req, 'from') ?? to - longestPeriodMinutes(def) * MINUTE_MS;
      if (from >= to) throw new InputError('from: must be before to');
      res.json(sloEvents(events, def, from, to));
    },
  };
}
