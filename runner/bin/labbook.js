#!/usr/bin/env node
// The labbook command. Its code is TypeScript, run by Node's own type stripping (Node >= 22.18).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `labbook needs Node.js 22.18 or newer (this is ${process.version}): run it as "npx labbook", which uses the project's Node 24.`,
  );
  process.exit(2);
}
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
