#!/usr/bin/env node
// Entry point of the `weft` command: TypeScript sources run through tsx's loader, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../apps/controller/src/cli/main.ts');
