/**
 * ssh:// addresses (runner/transport-ssh.ts) and the one set of ssh options that the SSH
 * transport and `labbook vm` share.
 */
import { describe, expect, it } from 'vitest';
import { TargetError } from '../../runner/target.ts';
import { parseSshAddress, sshOptions } from '../../runner/transport-ssh.ts';

describe('parseSshAddress', () => {
  it('reads ssh://[user@]host[:port]', () => {
    expect(parseSshAddress('ssh://host')).toEqual({ user: undefined, host: 'host', port: undefined });
    expect(parseSshAddress('ssh://root@127.0.0.1')).toEqual({ user: 'root', host: '127.0.0.1', port: undefined });
    expect(parseSshAddress('ssh://alice@lab.example.org:2222')).toEqual({
      user: 'alice',
      host: 'lab.example.org',
      port: '2222',
    });
    expect(parseSshAddress('ssh://host:22/')).toEqual({ user: undefined, host: 'host', port: '22' });
    expect(parseSshAddress('ssh://a.b-c_d@h')).toMatchObject({ user: 'a.b-c_d', host: 'h' });
  });

  it('takes an IPv6 address in brackets, and hands it to ssh without them', () => {
    expect(parseSshAddress('ssh://[::1]')).toEqual({ user: undefined, host: '::1', port: undefined });
    expect(parseSshAddress('ssh://root@[::1]:2222')).toEqual({ user: 'root', host: '::1', port: '2222' });
    expect(parseSshAddress('ssh://[fe80::1%eth1]:22')).toMatchObject({ host: 'fe80::1%eth1', port: '22' });
  });

  it('refuses anything else, with the form it wants', () => {
    const bad = [
      'ssh://',
      'ssh://user@',
      'ssh://@host',
      'ssh://host:',
      'ssh://host:ssh',
      'ssh://host:0',
      'ssh://host:65536',
      'ssh://host:22/home',
      'ssh://host/path',
      'ssh://::1',
      'ssh://[::1',
      'ssh://[]:22',
      'ssh://a@b@c',
      'ssh://-oProxyCommand=touch_x',
      'ssh://[-oProxyCommand=x]',
      'ssh:/host',
      'sftp://host',
      'host',
    ];
    for (const url of bad) {
      expect(() => parseSshAddress(url), url).toThrow(TargetError);
      expect(() => parseSshAddress(url), url).toThrow(`--target: "${url}" is not ssh://[user@]host[:port]`);
    }
  });
});

describe('sshOptions', () => {
  it('never prompts, checks the host key, and passes the port and the user', () => {
    expect(sshOptions({ user: 'root', port: '2222' })).toEqual([
      ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR'],
      ...['-o', 'ConnectTimeout=15'],
      ...['-p', '2222', '-l', 'root'],
    ]);
    expect(sshOptions({})).toEqual([
      ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR'],
      ...['-o', 'ConnectTimeout=15'],
    ]);
  });

  it('reads only the known_hosts given, offers only the key given, and waits as long as asked', () => {
    const args = sshOptions({}, { knownHosts: '/k/known_hosts', identity: '/k/id', connectTimeoutS: 3 });
    expect(args).toEqual([
      ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR'],
      ...['-o', 'ConnectTimeout=3'],
      ...['-o', 'UserKnownHostsFile=/k/known_hosts', '-o', 'GlobalKnownHostsFile=/dev/null'],
      ...['-i', '/k/id', '-o', 'IdentitiesOnly=yes'],
    ]);
  });
});
