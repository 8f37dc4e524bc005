/**
 * The whole up-front JavaScript of cells: one click listener. The terminal and the runner
 * client are fetched on the first Run only, so reading a chapter costs a few hundred bytes.
 */
document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest<HTMLButtonElement>('[data-lab-run]');
  if (button) void import('../../live/client/index.ts').then((client) => client.run(button));
});
