// Ctrl+F: finds nodes by op, name and the tensors they read or write; Enter steps through matches.
export class Search {
  private matches: number[] = [];
  private at = -1;

  constructor(
    private readonly input: HTMLInputElement,
    private readonly count: HTMLElement,
    private readonly on: { items(): string[][]; highlight(set: Set<number>): void; reveal(item: number): void },
  ) {
    input.addEventListener('input', () => this.run());
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.next(e.shiftKey ? -1 : 1);
      if (e.key === 'Escape') {
        input.value = '';
        this.run();
        input.blur();
      }
    });
  }

  focus(): void {
    this.input.focus();
    this.input.select();
  }

  reset(): void {
    this.input.value = '';
    this.run();
  }

  private run(): void {
    const q = this.input.value.trim().toLowerCase();
    this.matches = [];
    if (q) this.on.items().forEach((texts, i) => texts.some((t) => t.toLowerCase().includes(q)) && this.matches.push(i));
    this.at = -1;
    this.count.textContent = q ? `${this.matches.length} found` : '';
    this.on.highlight(new Set(this.matches));
  }

  private next(step: number): void {
    if (!this.matches.length) return;
    this.at = (this.at + step + this.matches.length) % this.matches.length;
    this.count.textContent = `${this.at + 1} of ${this.matches.length}`;
    this.on.reveal(this.matches[this.at]!);
  }
}
