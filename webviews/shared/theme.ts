// Chart colours from the VS Code theme: the `--vscode-*` variables VS Code sets on the
// webview's <html>, read at draw time because canvases cannot use CSS variables.

export interface ChartTheme {
  foreground: string;
  background: string;
  grid: string;
  fontFamily: string;
  /** High contrast themes get thicker lines and solid grid. */
  highContrast: boolean;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export function themeKind(): 'light' | 'dark' | 'high-contrast' {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast') || c.contains('vscode-high-contrast-light')) return 'high-contrast';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

export function readTheme(): ChartTheme {
  const kind = themeKind();
  const light = kind === 'light' || document.body.classList.contains('vscode-high-contrast-light');
  const foreground = cssVar('--vscode-editor-foreground', light ? '#333333' : '#cccccc');
  return {
    foreground,
    background: cssVar('--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'),
    grid: kind === 'high-contrast' ? cssVar('--vscode-contrastBorder', foreground) : withAlpha(foreground, 0.12),
    fontFamily: cssVar('--vscode-font-family', 'sans-serif'),
    highContrast: kind === 'high-contrast',
  };
}

/** `#rgb`, `#rrggbb` or `rgb(...)` with the given opacity; anything else is returned as is. */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  let m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(c);
  if (m) return `rgba(${parseInt(m[1] + m[1], 16)}, ${parseInt(m[2] + m[2], 16)}, ${parseInt(m[3] + m[3], 16)}, ${alpha})`;
  m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(c);
  if (m) return `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})`;
  m = /^rgba?\(([^,]+),([^,]+),([^,)]+)/i.exec(c);
  if (m) return `rgba(${m[1].trim()}, ${m[2].trim()}, ${m[3].trim()}, ${alpha})`;
  return c;
}

/** Calls `onChange` when VS Code switches theme (it changes the body class and the variables). */
export function onThemeChange(onChange: () => void): void {
  let last = document.body.className + document.documentElement.getAttribute('style');
  const check = () => {
    const now = document.body.className + document.documentElement.getAttribute('style');
    if (now !== last) {
      last = now;
      onChange();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}
