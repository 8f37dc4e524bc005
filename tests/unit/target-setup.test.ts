/**
 * The setup script of a remote target (runner/shell/target-setup.sh), run here as a target
 * runs it, with its own shell files: it names what the machine lacks (and the runner the
 * packages that have it), or makes its private directory with the files, sweeps what a run
 * that is gone left, prints the directory, holds it while its input is open and removes it
 * when it ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_SHELL_DIR } from '../../runner/target.ts';
import { lacking, setupCommandLine } from '../../runner/target-remote.ts';

const SETUP = join(LOCAL_SHELL_DIR, 'target-setup.sh');

describe('target-setup.sh', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'labbook-setup-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('names the baseline tools the machine lacks before it makes anything, and the runner adds their packages', () => {
    const r = spawnSync('bash', [SETUP, 'echo flock; echo ip', 'lab-sweep.sh', 'exit 9\n'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('labbook: the target lacks: flock ip\n');
    expect(lacking(`some noise\n${r.stderr}`)).toBe(
      'it lacks flock, ip, which labbook needs there: install them (Debian/Ubuntu: apt-get install --no-install-recommends util-linux iproute2; Fedora: dnf install util-linux iproute)',
    );
    expect(lacking('  bash: line 1: oops\n')).toBe('bash: line 1: oops');
  });

  it('puts the files in a private directory, holds it while its input is open, and removes it after', async () => {
    const swept = join(scratch, 'swept');
    const files = ['lab-sweep.sh', `echo swept >${swept}\n`, 'session.rc', "a 'quoted' $text\nwith no end newline"];
    const holder = spawn('bash', ['-c', readFileSync(SETUP, 'utf8'), 'target-setup', 'true', ...files], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const dir = await new Promise<string>((resolve, reject) => {
      let out = '';
      holder.stdout.on('data', (d: Buffer) => {
        out += d;
        const m = /^labbook:dir=(\S+)\n$/.exec(out);
        if (m) resolve(m[1] as string);
      });
      holder.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    try {
      expect(dir).toMatch(/^\/dev\/shm\/labbook-target\.\w{6}$/);
      expect(readdirSync(dir).sort()).toEqual(['lab-sweep.sh', 'session.rc']);
      expect(readFileSync(join(dir, 'session.rc'), 'utf8')).toBe(files[3]);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(readFileSync(swept, 'utf8')).toBe('swept\n');
    } finally {
      const ended = new Promise((r) => holder.once('exit', r));
      holder.stdin.end();
      expect(await ended).toBe(0);
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('sweeps the directory of a run that is gone (its lock free), not one still held', async () => {
    const stale = mkdtempSync('/dev/shm/labbook-target.');
    mkdirSync(join(stale, 'sub'));
    const held = mkdtempSync('/dev/shm/labbook-target.');
    const locker = spawn('flock', [held, 'sleep', '30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = spawnSync('bash', [SETUP, 'true', 'lab-sweep.sh', 'true\n'], { input: '', encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^labbook:dir=\/dev\/shm\/labbook-target\.\w{6}\n$/);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(held)).toBe(true);
    } finally {
      locker.kill();
      rmSync(stale, { recursive: true, force: true });
      rmSync(held, { recursive: true, force: true });
    }
  });
});

describe('setupCommandLine', () => {
  it('sends every file of runner/shell but the setup script, and the baseline check', () => {
    const line = setupCommandLine();
    expect(line.startsWith(`bash -c '#!/bin/bash\n`)).toBe(true);
    for (const f of readdirSync(LOCAL_SHELL_DIR).filter((f) => f !== 'target-setup.sh')) {
      expect(line).toContain(` ${f} '`);
    }
    expect(line).not.toContain(' target-setup.sh ');
    expect(line).toContain('|| echo flock');
  });
});
