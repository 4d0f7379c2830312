// The Try Model panel: the wiring. Host messages and edits go through the pure state
// (state.ts), the view (view.ts) draws it; the host sends the requests and measures them.
import '../shared/panel.css';
import './tryModel.css';
import { parseHostToTry, type TryToHost } from '../../src/protocol/tryModel';
import { vscodeApi } from '../shared/vscodeApi';
import { edit, onHostMessage, probeOf, restoreState, savedOf, sendMessage, setRepeats, type TryState } from './state';
import { TryView } from './view';

const api = vscodeApi();
const post = (m: TryToHost) => api.postMessage(m);
let state = restoreState(api.getState());

function save(next: TryState, redraw = true): void {
  state = next;
  api.setState(savedOf(state));
  if (redraw) view.render(state);
}

const view = new TryView(document.getElementById('root')!, {
  // Typing redraws nothing: the textarea already shows what was typed.
  body: (text) => save(edit(state, { body: text }), false),
  format: (format) => save(edit(state, { format })),
  repeats: (n) => save(setRepeats(state, n)),
  compare: (compare) => save(edit(state, { compare })),
  send: () => {
    if (!state.sending && state.started) post(sendMessage(state));
  },
});

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostToTry(e.data);
  if (!msg) return;
  if (msg.type === 'probe') {
    post({ type: 'probeReply', id: msg.id, data: probeOf(state) });
    return;
  }
  save(onHostMessage(state, msg));
});

view.render(state);
post({ type: 'ready' });
