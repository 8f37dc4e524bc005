/**
 * Reading a lab's snapshot and the difference of two (src/cells/lab-state.ts), on snapshots as
 * runner/shell/lab-state.sh prints them. tests/engine/change.test.ts takes real ones.
 */
import { describe, expect, it } from 'vitest';
import { carryOver, changeLines, MAX_CHANGE_LINES, parseLabState } from '../../src/cells/lab-state.ts';

const lo = '{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"operstate":"UNKNOWN","addr_info":[]}';
const eth0 =
  '{"ifindex":5,"ifname":"eth0","flags":["BROADCAST","UP","LOWER_UP"],"operstate":"UP","linkinfo":{"info_kind":"veth"},"addr_info":[]}';

/** A lab with PID 1, its shell, and sleep(50) in a network namespace of its own. */
function snapshot({ read = true, mount = '', extra = '' } = {}): string {
  return [
    '@state',
    '@processes',
    '1\t0\t1\tbash',
    '37\t1\t37\tbash',
    '50\t37\t50\tsleep',
    '@namespaces',
    '/proc/1/ns net:[100]',
    '/proc/1/ns mnt:[200]',
    '/proc/37/ns net:[100]',
    '/proc/37/ns mnt:[200]',
    '/proc/50/ns net:[101]',
    '/proc/50/ns mnt:[200]',
    '@mounts mnt:[200]',
    '20 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    mount,
    '@cgroups v2',
    extra,
    '@net net:[100]',
    `[${lo}]`,
    '[]',
    '@net net:[101]',
    ...(read ? [`[${lo},${eth0}]`, '[{"dst":"10.0.0.0/24","dev":"eth0","flags":["linkdown"]}]'] : []),
    '@end',
  ].join('\n');
}

describe("a lab's snapshot", () => {
  it('names a namespace after its lowest-numbered process, as pstree writes it', () => {
    expect(parseLabState(snapshot()).namespaces).toEqual([
      { type: 'mnt', inode: '200', label: 'lab' },
      { type: 'net', inode: '100', label: 'lab' },
      { type: 'net', inode: '101', label: 'sleep(50)' },
    ]);
  });

  it('tells propagation and binds apart, and a route without carrier', () => {
    const before = parseLabState(snapshot({ mount: '30 20 0:40 / /tmp/m rw - tmpfs t rw' }));
    const after = parseLabState(
      snapshot({ mount: '30 20 0:40 / /tmp/m rw shared:1 - tmpfs t rw\n31 20 0:41 /sub /tmp/b ro - tmpfs t rw' }),
    );
    expect(changeLines(before, after)).toEqual([
      "+ mount tmpfs on /tmp/b (its filesystem's /sub; private, ro)",
      '~ mount tmpfs on /tmp/m (shared, rw)',
    ]);
    // Keyed by the namespace, not by its label, which changes when its lowest-numbered process ends.
    expect(parseLabState(snapshot()).routes).toEqual([
      { ns: 'net:[101]', route: '10.0.0.0/24 dev eth0', linkdown: true },
    ]);
    const carrier = parseLabState(snapshot().replace(',"flags":["linkdown"]', ''));
    expect(changeLines(parseLabState(snapshot()), carrier)).toEqual([
      '~ route 10.0.0.0/24 dev eth0 in sleep(50) (no longer linkdown)',
    ]);
  });

  it('keeps what a namespace held when its processes ended while it was read, rather than show it gone', () => {
    const before = parseLabState(snapshot());
    const after = parseLabState(snapshot({ read: false }));
    // A route through a link that went is not said again.
    expect(changeLines(before, after)).toEqual(['- link eth0 in sleep(50)']);
    expect(changeLines(before, carryOver(before, after))).toEqual([]);
  });

  it('keeps at most MAX_CHANGE_LINES lines of a change, the last saying how many more there were', () => {
    const groups = Array.from({ length: MAX_CHANGE_LINES + 50 }, (_, i) => `g${i}`).join('\n');
    const lines = changeLines(parseLabState(snapshot()), parseLabState(snapshot({ extra: groups })));
    expect(lines).toHaveLength(MAX_CHANGE_LINES);
    expect(lines.at(-2)).toBe(`+ cgroup g${MAX_CHANGE_LINES - 2}`);
    expect(lines.at(-1)).toBe('… and 51 more');
  });

  it('refuses a snapshot that was cut short', () => {
    expect(() => parseLabState(snapshot().replace('@end', ''))).toThrow(/cut short/);
  });
});
