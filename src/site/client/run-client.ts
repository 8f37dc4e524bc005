/**
 * The live client of a cell, loaded on its first Run. No runner is connected yet, so it
 * shows the page's one-sentence hint on how to start one; the figure's data-chapter,
 * data-cell and data-hash are what a runner will be asked to run.
 */
export function run(button: HTMLButtonElement): void {
  const hint = button.parentElement?.querySelector<HTMLElement>('.lab-run-hint');
  if (hint) hint.hidden = false;
}
