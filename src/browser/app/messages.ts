/**
 * The page's message list under the picture: parse, compile and render errors first (with file:line and a hint),
 * then warnings. It remembers the errors shown, for the page state.
 */
import type { Diagnostic } from '../../core/errors.ts';
import { clear, h } from './dom.ts';

export class MessageList {
  readonly element = h('div', { class: 'messages', role: 'status' });
  private shown: Diagnostic[] = [];

  /** The errors currently shown. */
  get errors(): Diagnostic[] {
    return this.shown;
  }

  /** Replaces the list; `suggestion` is shown when no diagnostic carries its own. */
  show(diagnostics: readonly Diagnostic[], suggestion?: string): void {
    this.shown = diagnostics.filter((d) => d.severity === 'error');
    const list = this.element;
    clear(list);
    for (const d of [...this.shown, ...diagnostics.filter((x) => x.severity === 'warning')]) {
      const where =
        d.file !== undefined || d.line !== undefined
          ? `${d.file ?? ''}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''}: `
          : '';
      list.append(
        h(
          'div',
          { class: d.severity, 'data-line': d.line ?? '', 'data-code': d.code },
          `${d.severity}: ${where}${d.message}`,
        ),
      );
      if (d.suggestion) list.append(h('div', { class: 'hint' }, d.suggestion));
    }
    if (suggestion && !diagnostics.some((d) => d.suggestion))
      list.append(h('div', { class: 'hint' }, suggestion));
    if (this.shown.length > 0) list.scrollTop = 0;
  }
}
