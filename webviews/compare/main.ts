// The comparison panel: a table of runs side by side, brushing charts, an overlaid metric chart.
// The wiring: host messages and user input go through the pure state (state.ts), the view
// (view.ts) draws it, and the choices are saved for a reload.
import '../shared/panel.css';
import './compare.css';
import { parseHostToCompare, type CompareToHost } from '../../src/protocol/panels';
import { onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscodeApi';
import { loadElements } from '../shared/elements';
import { chartsChanged, onCompareMessage, resetCharts, restoreCompareState, setBaseline, setBrush, setDiffOnly, setMetric, setScatter, toggleRun, type CompareState } from './state';
import { CompareView } from './view';

loadElements();
const api = vscodeApi();
const post = (m: CompareToHost) => api.postMessage(m);
let state = restoreCompareState(api.getState());

/** The new state, saved for a reload. */
function save(next: CompareState): void {
  state = next;
  api.setState(state.saved);
}

/** The charts and the overlaid chart drawn anew; the host sends the chosen metric's series. */
function redrawCharts(): void {
  view.renderCharts(state);
  if (!state.saved.metric) return;
  view.resetOverlay(state);
  post({ type: 'chart', metric: state.saved.metric, width: view.overlayWidth() });
}

const view = new CompareView(document.getElementById('root')!, state, {
  diffOnly: (on) => {
    save(setDiffOnly(state, on));
    view.renderTable(state);
  },
  baseline: (key) => {
    save(setBaseline(state, key));
    view.renderTable(state);
  },
  metric: (metric) => {
    // The select also says "change" when its value is set from the state.
    if (metric === state.saved.metric) return;
    save(setMetric(state, metric));
    redrawCharts();
  },
  scatter: (x, y) => {
    save(setScatter(state, x, y));
    view.renderScatter(state);
  },
  clear: () => {
    save(resetCharts(state));
    view.renderCharts(state);
  },
  brush: (chart, keys) => {
    state = setBrush(state, chart, keys);
    view.highlight(state);
  },
  toggleRun: (key) => {
    save(toggleRun(state, key));
    view.applyHidden(state);
  },
});

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostToCompare(e.data);
  if (!msg) return;
  switch (msg.type) {
    case 'series':
      if (msg.metric === state.saved.metric) view.showSeries(msg.run, msg.data);
      return;
    case 'probe':
      post({ type: 'probeReply', id: msg.id, data: view.probe(state) });
      return;
    case 'compare': {
      const before = state;
      const next = onCompareMessage(state, msg);
      const redraw = chartsChanged(before, next);
      save(redraw ? resetCharts(next) : next);
      view.showRuns(state);
      if (redraw) redrawCharts();
      return;
    }
  }
});

onThemeChange(() => view.retheme());

post({ type: 'ready', width: view.overlayWidth() });
