#!/usr/bin/env node
// The `golden-image` command: runs the TypeScript CLI through tsx, so there is no build step.
require('tsx/cjs');
require('./cli.ts').main(process.argv);
