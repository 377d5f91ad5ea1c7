#!/usr/bin/env node
// The `vigil` command. Vigil runs from its TypeScript sources through tsx's
// loader, so an `npm install` is all it takes to run it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
