#!/usr/bin/env node
import { runEntry } from '@promfleet/kube/run-entry';

await runEntry(import.meta.url, 'promfleet');
