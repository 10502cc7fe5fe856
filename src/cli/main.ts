#!/usr/bin/env node
// The phikit command: starts the CLI (run.ts) from its compiled bundle and code cache when the
// build made them (compiled-bundle.ts), else from its modules (running from src/, or with
// PHIKIT_NO_BUNDLE=1). Imports nothing else, so a start compiles only what it runs.
import './heap-settings.js';
import { lendImporter } from '../core/import-module.js';
import { startCompiledBundle } from './compiled-bundle.js';

lendImporter((specifier) => import(specifier));
const started = process.env.PHIKIT_NO_BUNDLE
  ? undefined
  : startCompiledBundle(new URL('./phikit.cjs', import.meta.url));
if (!started) await import('./run.js');
