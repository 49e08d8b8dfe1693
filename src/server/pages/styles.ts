// Vigil's one stylesheet (served as /assets/vigil.css): layout, tables, budget bars, state badges, dialogs,
// and a print style for reports (no navigation, no buttons, black on white).
export const STYLESHEET = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #dde1e8; --bg: #f6f7f9; --card: #fff; --ok: #16794c; --warn: #a76200; --bad: #b3261e; --accent: #1f5fbf; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .55rem 1.5rem; background: #1d2330; color: #fff; }
header.top .brand { font-weight: 700; font-size: 16px; color: #fff; text-decoration: none; letter-spacing: .02em; }
header.top nav { display: flex; gap: .2rem; flex: 1; }
header.top nav a { color: #c9d1e0; text-decoration: none; padding: .3rem .7rem; border-radius: 4px; }
header.top nav a[aria-current="page"], header.top nav a:hover { background: #333c50; color: #fff; }
header.top .who { color: #c9d1e0; font-size: 13px; }
header.top .who button { margin-left: .6rem; }
main { padding: 1rem 1.5rem 3rem; max-width: 1500px; }
h1 { font-size: 1.35rem; margin: .6rem 0 .4rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
.sub { color: var(--muted); margin: 0 0 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
th, td { padding: .32rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; background: #fafbfc; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.error td { background: #fdf1f0; }
.bar { display: inline-block; width: 90px; height: 8px; border-radius: 4px; background: #e6e9ef; vertical-align: middle; margin-right: .4rem; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--ok); }
.bar.warn > span { background: var(--warn); } .bar.bad > span { background: var(--bad); }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 9px; font-size: 12px; font-weight: 600; background: #e6e9ef; color: var(--muted); white-space: nowrap; }
.badge.page, .badge.bad, .badge.failed, .badge.aborted, .badge.drained, .badge.blocked, .badge.missed { background: #fbe3e1; color: var(--bad); }
.badge.ticket, .badge.warn, .badge.draining, .badge.restoring, .badge.awaiting_approval, .badge.holding, .badge.interrupted { background: #fdefd9; color: var(--warn); }
.badge.ok, .badge.passed, .badge.serving, .badge.executed, .badge.met { background: #dcf2e7; color: var(--ok); }
.ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
.regions { display: flex; gap: .6rem; flex-wrap: wrap; margin-bottom: 1rem; }
.region { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .45rem .8rem; min-width: 150px; }
.region strong { display: block; }
.filters { display: flex; gap: .6rem; flex-wrap: wrap; align-items: end; margin-bottom: .8rem; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: .15rem; }
input, select, textarea, button { font: inherit; }
input, select, textarea { padding: .3rem .45rem; border: 1px solid #b9c0cc; border-radius: 4px; background: #fff; }
button { padding: .3rem .8rem; border: 1px solid #b9c0cc; border-radius: 4px; background: #fff; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
button:disabled { opacity: .6; cursor: default; }
.actions { display: flex; gap: .4rem; flex-wrap: wrap; }
td.actions { display: table-cell; }
td.actions > * + * { margin-left: .4rem; }
dialog.confirm { border: 0; border-radius: 8px; padding: 1.2rem 1.4rem; max-width: 30rem; box-shadow: 0 6px 30px rgba(0,0,0,.25); }
dialog.confirm textarea { width: 100%; margin-top: .3rem; }
dialog.confirm .dialog-buttons { display: flex; justify-content: flex-end; gap: .5rem; margin-top: .8rem; }
.dialog-message { color: var(--bad); min-height: 1.2em; margin: .4rem 0 0; }
.notice { background: #fdefd9; border: 1px solid #f0cf98; border-radius: 6px; padding: .5rem .8rem; margin: .6rem 0; }
.notice.error { background: #fbe3e1; border-color: #efb3ad; }
#live-status { color: var(--muted); font-size: 12px; margin-left: auto; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 6px; margin-bottom: .8rem; padding: .3rem; }
pre.yaml { background: #1d2330; color: #e7ebf2; padding: .8rem 1rem; border-radius: 6px; overflow: auto; font-size: 12.5px; }
.markdown { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .4rem 1.2rem; }
.markdown pre { background: #f0f2f5; padding: .6rem; border-radius: 4px; overflow: auto; }
.legend-list { display: flex; gap: 1rem; font-size: 12px; color: var(--muted); }
.legend-list span::before { content: ""; display: inline-block; width: 14px; height: 8px; margin-right: .3rem; vertical-align: middle; }
.legend-list .l-page::before { background: rgba(179,38,30,.35); } .legend-list .l-ticket::before { background: rgba(167,98,0,.3); }
.legend-list .l-drill::before { background: rgba(106,63,181,.35); } .legend-list .l-failover::before { border-top: 2px dashed #1f5fbf; height: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
@media print {
  header.top, .filters, .actions, button, #live-status, .no-print { display: none !important; }
  body { background: #fff; color: #000; font-size: 11pt; }
  main { padding: 0; max-width: none; }
  .card, table { border-color: #999; }
  th { position: static; background: #fff; color: #000; }
  a { color: #000; text-decoration: none; }
}
`;
