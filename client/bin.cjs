#!/usr/bin/env node
// The `golden-image` command: the CLI compiled by `npm run build` (which `npm ci` runs).
const path = require('node:path');
const cli = path.join(__dirname, '..', 'lib', 'client', 'cli.js');
let main;
try {
  ({ main } = require(cli));
} catch (err) {
  if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(cli)) throw err;
  console.error(`golden-image is not built yet (${path.relative(process.cwd(), cli)} is missing): run npm run build`);
  process.exit(2);
}
main(process.argv);
