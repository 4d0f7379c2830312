// The metrics panel: one chart per metric, the selected runs overlaid, live while they train.
// The wiring: host messages and user input go through the pure state (state.ts), the view
// (view.ts) draws it, and the settings are saved for a reload.
import '../shared/panel.css';
import { parseHostToMetrics, type MetricsToHost } from '../../src/protocol/panels';
import { onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscodeApi';
import { loadElements } from '../shared/elements';
import { onHostMessage, restoreMetricsState, setGroupBy, setLogScale, setShowRuns, setSmoothing, setXAxis, toggleRun, type MetricsState } from './state';
import { MetricsView } from './view';

loadElements();
const api = vscodeApi();
const post = (m: MetricsToHost) => api.postMessage(m);
let state = restoreMetricsState(api.getState());

/** A user's change of settings: drawn, and saved for a reload. */
function update(next: MetricsState): void {
  state = next;
  view.applySettings(state);
  api.setState(state.saved);
}

const view = new MetricsView(document.getElementById('root')!, state, {
  xAxis: (xAxis) => {
    // The select also says "change" when its value is set from the state.
    if (xAxis !== state.saved.xAxis) update(setXAxis(state, xAxis));
  },
  smoothing: (value) => update(setSmoothing(state, value)),
  logScale: (on) => update(setLogScale(state, on)),
  groupBy: (field) => update(setGroupBy(state, field)),
  showRuns: (on) => update(setShowRuns(state, on)),
  toggleRun: (key) => update(toggleRun(state, key)),
  exportPng: (metric, dataUrl) => post({ type: 'exportPng', metric, dataUrl }),
  exportCsv: (metric) => post({ type: 'exportCsv', metric }),
  range: (metric, lo, hi, width) => post({ type: 'range', metric, axis: state.saved.xAxis, lo, hi, width }),
});

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostToMetrics(e.data);
  if (!msg) return;
  state = onHostMessage(state, msg);
  switch (msg.type) {
    case 'init':
      view.rebuild(state);
      api.setState(state.saved);
      return;
    case 'series':
    case 'append':
      view.showSeries(msg.metric, msg.run, msg.data, msg.type === 'append');
      return;
    case 'status':
      view.renderLegend(state);
      return;
    case 'probe':
      post({ type: 'probeReply', id: msg.id, data: view.probe(state) });
      return;
  }
});

onThemeChange(() => view.retheme());

post({ type: 'ready', width: view.chartWidth() });
