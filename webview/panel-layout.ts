// The properties panel's width and visibility: a drag handle (or arrow keys on it) resizes it, a
// toolbar button or P hides it; the graph stays the larger part, and the choice is kept with
// the view state.

/** Default width, and the share of the editor the panel may take at most. */
const DEFAULT_WIDTH = 300;
const MIN_WIDTH = 160;
const MAX_SHARE = 0.45;
const DEFAULT_SHARE = 0.3;

export interface PanelState {
  width: number | null;
  hidden: boolean;
}

/** The width to apply: the user's choice or the default, within the limits of this editor width. */
function panelWidth(chosen: number | null, editorWidth: number): number {
  const max = Math.max(MIN_WIDTH, editorWidth * MAX_SHARE);
  const want = chosen ?? Math.min(DEFAULT_WIDTH, editorWidth * DEFAULT_SHARE);
  return Math.round(Math.min(max, Math.max(MIN_WIDTH, want)));
}

export class PanelLayout {
  private state: PanelState;

  constructor(
    private readonly main: HTMLElement,
    private readonly splitter: HTMLElement,
    private readonly toggle: HTMLButtonElement,
    initial: PanelState | undefined,
    private readonly save: (s: PanelState) => void,
  ) {
    this.state = initial ?? { width: null, hidden: false };
    splitter.addEventListener('pointerdown', (e) => {
      splitter.setPointerCapture(e.pointerId);
      splitter.classList.add('dragging');
      const move = (m: PointerEvent): void => this.resize(this.main.getBoundingClientRect().right - m.clientX, false);
      const up = (): void => {
        splitter.removeEventListener('pointermove', move);
        splitter.classList.remove('dragging');
        this.save(this.state);
      };
      splitter.addEventListener('pointermove', move);
      splitter.addEventListener('pointerup', up, { once: true });
      splitter.addEventListener('pointercancel', up, { once: true });
    });
    splitter.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowLeft' ? 20 : e.key === 'ArrowRight' ? -20 : 0;
      if (!step) return;
      e.preventDefault();
      e.stopPropagation();
      this.resize(this.current() + step, true);
    });
    toggle.addEventListener('click', () => this.toggleHidden());
    new ResizeObserver(() => this.apply()).observe(main);
    this.apply();
  }

  toggleHidden(): void {
    this.state = { ...this.state, hidden: !this.state.hidden };
    this.apply();
    this.save(this.state);
  }

  private current(): number {
    return panelWidth(this.state.width, this.main.getBoundingClientRect().width);
  }

  private resize(width: number, save: boolean): void {
    this.state = { ...this.state, width: panelWidth(width, this.main.getBoundingClientRect().width) };
    this.apply();
    if (save) this.save(this.state);
  }

  private apply(): void {
    const width = this.current();
    this.main.style.setProperty('--panel-width', `${width}px`);
    document.body.classList.toggle('panel-hidden', this.state.hidden);
    this.toggle.setAttribute('aria-expanded', String(!this.state.hidden));
    this.splitter.setAttribute('aria-valuenow', String(width));
  }
}
