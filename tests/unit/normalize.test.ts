import { describe, expect, it } from 'vitest';
import { normalize, plainText } from '../../src/cells/normalize.ts';

describe('plainText', () => {
  it('drops escapes and keeps the last state of a \\r progress line', () => {
    expect(plainText('\x1b[1;31mred\x1b[0m\r\n10%\r50%\r100%\r\n\x1b]0;title\x07done')).toBe('red\n100%\ndone');
  });
});

describe('normalize', () => {
  it("turns a cell's own volatile part into <volatile> before the rules, or only its group v", () => {
    expect(normalize('sent 3 packets in 12 ms', '[0-9]+ packets')).toBe('sent <volatile> in <dur>');
    expect(normalize('seq 4017 of 9', 'seq (?<v>[0-9]+)')).toBe('seq <volatile> of 9');
    // Replaced before the rules: a PID-looking value in it is not bound.
    expect(normalize('pid=42 (42)', 'pid=[0-9]+')).toBe('<volatile> (42)');
  });

  it('binds each volatile value to a typed placeholder on first sight', () => {
    const out = normalize('bash(1)───sleep(42)\nkill 42\n0a:1b:2c:3d:4e:5f 0a:1b:2c:3d:4e:5f 02:00:00:00:00:01');
    expect(out).toBe('bash(<pid:1>)───sleep(<pid:2>)\nkill <pid:2>\n<mac:1> <mac:1> <mac:2>');
  });

  it('makes runs with other values but the same shape equal', () => {
    const a = 'pid:[4026531836] pid:[4026532180]\nNSpid:\t55\t1\n3: veth0@if4: <UP>\nat 12:01:02, took 3.5 ms';
    const b = 'pid:[4026531836] pid:[4026532999]\nNSpid:\t71\t1\n5: veth0@if6: <UP>\nat 13:00:59, took 0.9 ms';
    expect(normalize(a)).toBe(normalize(b));
  });

  it('still tells apart a value that must repeat from one that does not', () => {
    // Same inode twice vs two different inodes: the claim "same namespace" differs.
    expect(normalize('pid:[4026532180] pid:[4026532180]')).not.toBe(normalize('pid:[4026532180] pid:[4026532181]'));
  });

  it("binds the suffix of a remote target's script directory, so two runs there compare", () => {
    const run = (d: string) => normalize(`├─ 1 bash /dev/shm/labbook-target.${d}/lab-pid1.sh`);
    expect(run('6Ds28g')).toBe('├─ 1 bash /dev/shm/labbook-target.<lab:1>/lab-pid1.sh');
    expect(run('7qNONo')).toBe(run('6Ds28g'));
  });

  it('binds the checkout that a local target runs its scripts from, so two checkouts compare', () => {
    const run = (d: string) => normalize(`/proc/1 is not me: bash ${d}/runner/shell/lab-pid1.sh`);
    expect(run('/work/main')).toBe('/proc/1 is not me: bash <lab:1>/runner/shell/lab-pid1.sh');
    expect(run('/check/work/main')).toBe(run('/work/main'));
  });

  it('binds the PID of a background job as bash reports it, and only on its own line', () => {
    expect(normalize('[3] 309\n[4] 310\nkill 310')).toBe('[3] <pid:1>\n[4] <pid:2>\nkill <pid:2>');
    expect(normalize('[3] 309\n[4] 310')).toBe(normalize('[3] 307\n[4] 308'));
    expect(normalize('see [3] 309 here')).toBe('see [3] 309 here');
  });

  it('binds an ifindex however it is written: @ifN, "ifindex N", /dev/tapN', () => {
    expect(normalize('mvt0 has ifindex 30\n/dev/tap30 and veth0@if31')).toBe(
      'mvt0 has ifindex <ifindex:2>\n/dev/tap<ifindex:2> and veth0@if<ifindex:1>',
    );
  });

  it("binds Docker's IDs: a container's, long and short, a layer link's, a veth's; not a 12-digit number", () => {
    const id = '748da21195e86f715ce94e51ea84547dce7c8d686658cd782b384c7cfd45f861';
    expect(
      normalize(`${id}\n/docker/${id} ${id.slice(0, 12)} 123456789012 veth618477e /l/X3HMFY4EOJDZNQKCPKJSJGQ3NV`),
    ).toBe('<id:1>\n/docker/<id:1> <id:2> 123456789012 <link:1> /l/<id:3>');
  });

  it("binds the ID in the scope of Docker's systemd cgroup driver", () => {
    const id = '748da21195e86f715ce94e51ea84547dce7c8d686658cd782b384c7cfd45f861';
    expect(normalize(`${id}\nControlGroup=/system.slice/docker-${id}.scope`)).toBe(
      '<id:1>\nControlGroup=/system.slice/docker-<id:1>.scope',
    );
  });

  it('keeps the loopback and broadcast MACs', () => {
    expect(normalize('00:00:00:00:00:00 ff:ff:ff:ff:ff:ff')).toBe('00:00:00:00:00:00 ff:ff:ff:ff:ff:ff');
  });
});
