// The runs legend shared by the panels: a swatch in the run's colour, click (or Enter/Space,
// it is a button) to hide or show that run in every chart.
import type { PanelRun } from '../../src/protocol/panels';

export function renderLegend(el: HTMLElement, runs: readonly PanelRun[], hidden: ReadonlySet<string>, onToggle: (key: string) => void): void {
  el.replaceChildren(
    ...runs.map((r) => {
      const b = document.createElement('button');
      b.className = 'legend-item';
      b.dataset.run = r.key;
      b.setAttribute('aria-pressed', String(!hidden.has(r.key)));
      b.title = `${r.name} — ${r.status.toLowerCase()} · ${r.source}\nClick to ${hidden.has(r.key) ? 'show' : 'hide'}`;
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.backgroundColor = r.color;
      const name = document.createElement('span');
      name.textContent = r.status === 'RUNNING' ? `${r.name} (running)` : r.name;
      b.append(sw, name);
      b.addEventListener('click', () => onToggle(r.key));
      return b;
    }),
  );
}
