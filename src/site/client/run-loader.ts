/**
 * The whole up-front JavaScript of cells: one click listener. The terminal and the runner
 * client are fetched on the first Run or Replay only, so reading a chapter costs a few hundred
 * bytes; a replay fetches its chapter's recording then.
 */
document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest<HTMLButtonElement>('[data-lab-run], [data-lab-replay]');
  if (!button) return;
  const replay = button.hasAttribute('data-lab-replay');
  void import('../../live/client/index.ts').then((client) => (replay ? client.replay(button) : client.run(button)));
});
