// The SLO as the engine sees it, whichever YAML dialect (vigil/v1 or openslo/v1) declared it.
import type { Rational } from './math/rational.js';

export type CalendarUnit = 'week' | 'month' | 'quarter';

export type SloWindow =
  | { kind: 'rolling'; minutes: number; text: string }
  | { kind: 'calendar'; unit: CalendarUnit; timeZone: string; text: string };

export type Budgeting =
  | { method: 'occurrences' }
  | { method: 'timeslices'; sliceMinutes: number; target: Rational; targetValue: number };

export type RatioSource = 'prometheus' | 'cloud-monitoring';

export type Indicator =
  | { kind: 'probe'; probe: string; latencyThresholdMs: number | null }
  | {
      kind: 'ratio';
      source: RatioSource;
      good: string;
      total: string;
      /** Label whose value names the target region (counts split per region); null: the whole SLO. */
      regionLabel: string | null;
      /** Label whose value names the vantage that measured; null: server side (vantage ''). */
      vantageLabel: string | null;
    }
  | { kind: 'events' };

export const SEVERITIES = ['page', 'ticket'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A multi-window burn-rate alert: fires when both windows burn at ≥ threshold. */
export interface AlertWindowSpec {
  severity: Severity;
  longMinutes: number;
  shortMinutes: number;
  /** Either a fixed burn rate, or a share of the budget spent within the long window. */
  threshold: { kind: 'burnRate'; value: Rational } | { kind: 'budgetShare'; percent: number };
}

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface SloDefinition {
  name: string;
  squad: string;
  labels: Record<string, string>;
  service: string;
  description: string;
  /** Objective as an exact fraction (99.9 % → 999/1000) and as a number for output. */
  objective: Rational;
  objectiveValue: number;
  /** 1 − objective, exactly. */
  budget: Rational;
  window: SloWindow;
  budgeting: Budgeting;
  regions: string[];
  indicator: Indicator;
  alertWindows: AlertWindowSpec[];
  runbook: string | null;
  source: SourcePosition;
}
