/**
 * Claims about what a cell changed in the kernel (src/cells/change.ts), on lines as lab-state.ts
 * writes them and a recording keeps them.
 */
import { describe, expect, it } from 'vitest';
import { parseChangeExpect, unmetChangeExpectations } from '../../src/cells/change.ts';

const change = [
  '+ namespace net ns1',
  '+ link br0 (bridge, up)',
  '+ link veth1 in ns1 (veth, peer veth0 in lab, up)',
  '+ link veth0 (veth, peer veth1 in ns1, master br0, up)',
  '~ link eth0 in c1 (master br1)',
  '+ mount overlay on /merged',
  '+ cgroup docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef (cpu memory)',
  '+ process sleep(42) (PID 1 in its namespace)',
  '- link old0',
];

describe('claims about a change', () => {
  it('hold for a line that starts with them, up to the end of a word', () => {
    expect(
      unmetChangeExpectations(
        '+ namespace net ns1; + link veth1 in ns1; + mount overlay on /merged; + cgroup docker; + process sleep; - link old0',
        change,
      ),
    ).toEqual([]);
    expect(unmetChangeExpectations('+ link veth; + cgroup dock; + process slee; + link old0', change)).toEqual([
      '"+ link veth" does not hold',
      '"+ cgroup dock" does not hold',
      '"+ process slee" does not hold',
      '"+ link old0" does not hold',
    ]);
  });

  it('name the namespace of a link, address, route or mount, the lab when they name none', () => {
    const lines = [
      '+ link veth1 in ns1 (veth, up)',
      '+ address 10.0.0.1/24 on veth1 in ns1',
      '+ mount overlay on /m/x',
    ];
    expect(unmetChangeExpectations('+ link veth1 in ns1; + address 10.0.0.1/24 on veth1 in ns1', lines)).toEqual([]);
    expect(
      unmetChangeExpectations('+ link veth1; + address 10.0.0.1/24 on veth1; + mount overlay on /m', lines),
    ).toEqual([
      '"+ link veth1" does not hold',
      '"+ address 10.0.0.1/24 on veth1" does not hold',
      '"+ mount overlay on /m" does not hold',
    ]);
  });

  it("say with pid1 that a new process is PID 1 of its namespace, as data=processes's forms do", () => {
    expect(unmetChangeExpectations('pid1 sleep', change)).toEqual([]);
    expect(
      unmetChangeExpectations('pid1 bash', ['+ process bash(7)', '+ process bash(9) (PID 3 in its namespace)']),
    ).toEqual(['"pid1 bash" does not hold']);
  });

  it('ending with "/", hold for what is below a path and not for the path itself', () => {
    expect(unmetChangeExpectations('+ cgroup docker/', change)).toEqual([]);
    expect(unmetChangeExpectations('+ cgroup docker/', ['+ cgroup docker (cpu memory)'])).toEqual([
      '"+ cgroup docker/" does not hold',
    ]);
  });

  it('may name a volatile part by its placeholder, as outputs are normalised', () => {
    expect(unmetChangeExpectations('+ cgroup docker/<id:1>', change)).toEqual([]);
  });

  it("state data=network's facts about the links the change adds or changes", () => {
    expect(
      unmetChangeExpectations(
        'peer veth0 in ns1; peer veth1 is veth0; master veth0 is br0; kind br0 is bridge; master eth0 is br1',
        change,
      ),
    ).toEqual([]);
    expect(unmetChangeExpectations('peer veth0 in lab; kind veth0 is bridge; master old0 is br0', change)).toEqual([
      '"peer veth0 in lab" does not hold',
      '"kind veth0 is bridge" does not hold',
      '"master old0 is br0" does not hold',
    ]);
  });

  it('fail, all of them, when the run took no snapshot', () => {
    expect(unmetChangeExpectations('+ link veth1', undefined)).toEqual([
      'its change in the kernel was not recorded (this run took no snapshots)',
    ]);
  });

  it('are refused when they are not in the words of a change', () => {
    expect(() => parseChangeExpect('veth0 appears')).toThrow(/"veth0 appears" is not an expectation about a change/);
    expect(() => parseChangeExpect('+ interface veth0')).toThrow(/then one of namespace, link, address/);
    expect(() => parseChangeExpect(' ; ')).toThrow(/expect= is empty/);
  });
});
