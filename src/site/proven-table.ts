/**
 * The end of a chapter's page: on which kernels its cells were proven (proof.ts), an entry
 * of the matrix a row, with the cells each skipped and why one click away (<details>, no
 * JavaScript).
 *
 *   <section class="lab-proven" data-pagefind-ignore>
 *     <h2>Proven on</h2>
 *     <table tabindex="0">
 *       <thead><tr><th scope="col">Kernel</th><th scope="col">Recorded</th><th scope="col">Passed</th>
 *         <th scope="col">Skipped</th><th scope="col">Failed</th><th scope="col">Not recorded</th></tr></thead>
 *       <tbody>
 *         <tr data-entry="local"><th scope="row">local<br><small>Linux 6.18.44-fc-v657 · Debian GNU/Linux 12 (bookworm) · cgroup v1</small></th>
 *           <td><time datetime="2026-11-30T09:00:00.000Z">2026-11-30</time></td><td>40</td><td>2</td><td>0</td><td>0</td></tr>
 *         <tr data-entry="vm:debian12"><th scope="row">vm:debian12</th><td>not recorded</td>
 *           <td>0</td><td>0</td><td>0</td><td>42</td></tr>
 *       </tbody>
 *     </table>
 *     <details data-entry="local"><summary>local: skipped cells (2) and why</summary>
 *       <ul><li><code>ipvlan-l2</code>: needs ipvlan, but this kernel lacks ipvlan</li>...</ul></details>
 *   </section>
 */
import type { Element } from 'hast';
import { h } from 'hastscript';
import { reasonText } from '../cells/reasons.ts';
import { type EntryProof, machines } from './proof.ts';
import type { Translate } from './strings.ts';

function row(p: EntryProof, t: Translate): Element {
  const where = machines(p);
  return h('tr', { dataEntry: p.entry.name }, [
    h('th', { scope: 'row' }, [p.entry.name, ...(where ? [h('br'), h('small', where)] : [])]),
    h('td', p.oldest ? h('time', { datetime: p.oldest }, p.oldest.slice(0, 10)) : t('labbook.notRecorded')),
    ...[p.passed, p.skipped.length, p.failed, p.notRecorded].map((n) => h('td', String(n))),
  ]);
}

const skippedCells = (p: EntryProof, t: Translate): Element =>
  h('details', { dataEntry: p.entry.name }, [
    h('summary', t('labbook.proven.skippedCells', { entry: p.entry.name, count: p.skipped.length })),
    h(
      'ul',
      p.skipped.map((s) =>
        h('li', [h('code', s.id), t('labbook.proven.skippedCell', { reason: reasonText(s.rec, t.lang) ?? '' })]),
      ),
    ),
  ]);

export function provenTable(proofs: EntryProof[], t: Translate): Element {
  const columns = [
    t('labbook.proven.kernel'),
    t('labbook.proven.recorded'),
    t('labbook.proven.passed'),
    t('labbook.proven.skipped'),
    t('labbook.proven.failed'),
    t('labbook.proven.notRecorded'),
  ];
  return h('section.lab-proven', { dataPagefindIgnore: '' }, [
    h('h2', t('labbook.proven.title')),
    // Focusable: a wide table scrolls sideways, which a keyboard must be able to do too.
    h('table', { tabIndex: 0 }, [
      h(
        'thead',
        h(
          'tr',
          columns.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        proofs.map((p) => row(p, t)),
      ),
    ]),
    ...proofs.filter((p) => p.skipped.length).map((p) => skippedCells(p, t)),
  ]);
}
