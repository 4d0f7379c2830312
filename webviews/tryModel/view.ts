// The Try Model panel's DOM: the request editor (a textarea: the body is JSON or CSV text),
// the format, repeats and "also send to" choices, and one result card per endpoint with the
// predictions or the server's answer verbatim, and the latency. Text only, never innerHTML.
import { showNotice } from '../shared/vscodeApi';
import { latencyText, type TryState } from './state';

export interface TryViewEvents {
  body(text: string): void;
  format(f: 'json' | 'csv'): void;
  repeats(n: number): void;
  compare(id: string): void;
  send(): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class TryView {
  private readonly title = el('h1', 'try-title');
  private readonly source = el('p', 'hint');
  private readonly editor = el('textarea', 'try-editor');
  private readonly format = el('select');
  private readonly repeats = el('input');
  private readonly compare = el('select');
  private readonly sendButton = el('button', 'try-send', 'Send');
  private readonly notice = el('div', 'notice');
  private readonly results = el('div', 'try-results');

  constructor(root: HTMLElement, ev: TryViewEvents) {
    this.editor.spellcheck = false;
    this.editor.setAttribute('aria-label', 'Request body');
    this.editor.addEventListener('input', () => ev.body(this.editor.value));
    this.editor.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        ev.send();
      }
    });
    for (const [value, label] of [['json', 'JSON (application/json)'], ['csv', 'CSV (text/csv)']] as const) {
      const o = el('option', undefined, label);
      o.value = value;
      this.format.append(o);
    }
    this.format.addEventListener('change', () => ev.format(this.format.value === 'csv' ? 'csv' : 'json'));
    this.repeats.type = 'number';
    this.repeats.min = '1';
    this.repeats.max = '1000';
    this.repeats.addEventListener('change', () => ev.repeats(Number(this.repeats.value)));
    this.compare.addEventListener('change', () => ev.compare(this.compare.value));
    this.sendButton.addEventListener('click', () => ev.send());
    const label = (text: string, control: HTMLElement) => {
      const l = el('label', undefined, text);
      l.append(control);
      return l;
    };
    const toolbar = el('div', 'toolbar');
    toolbar.append(label('Format ', this.format), label('Repeats ', this.repeats), label('Also send to ', this.compare), this.sendButton);
    this.notice.hidden = true;
    root.append(this.title, this.source, this.editor, toolbar, this.notice, this.results);
  }

  render(s: TryState): void {
    this.title.textContent = s.title ? `Try ${s.title}` : 'Try Model';
    this.source.textContent = s.exampleSource ? `POST ${s.selected}/invocations · body from: ${s.exampleSource} · Ctrl+Enter sends` : '';
    if (this.editor.value !== s.body) this.editor.value = s.body;
    this.format.value = s.format;
    if (document.activeElement !== this.repeats) this.repeats.value = String(s.repeats);
    this.compare.replaceChildren();
    const none = el('option', undefined, '(nothing else)');
    none.value = '';
    this.compare.append(none);
    for (const e of s.endpoints.filter((x) => x.id !== s.selected)) {
      const o = el('option', undefined, e.label);
      o.value = e.id;
      this.compare.append(o);
    }
    this.compare.value = s.compare;
    this.compare.disabled = s.endpoints.length < 2;
    this.sendButton.disabled = s.sending || !s.started;
    this.sendButton.textContent = s.sending ? 'Sending…' : 'Send';
    showNotice(this.notice, s.problem, 'error');
    this.results.replaceChildren(
      ...s.results.map((r) => {
        const card = el('section', `try-card ${r.ok ? 'try-ok' : 'try-error'}`);
        card.setAttribute('data-endpoint', r.endpoint);
        const head = el('div', 'try-card-head');
        head.append(el('strong', undefined, r.label), el('span', 'hint', r.status ? `HTTP ${r.status}` : 'no answer'), el('span', 'try-latency', latencyText(r)));
        card.append(head, el('div', 'hint', r.ok ? 'predictions' : 'error (as the server sent it)'), el('pre', 'try-output', r.text));
        return card;
      }),
    );
  }
}
