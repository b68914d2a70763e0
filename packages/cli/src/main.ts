import { processIO } from './cli/io.ts';
import { run } from './cli/run.ts';

// Exit code rather than process.exit(): pending output is flushed first. Every client is closed
// by then, so nothing keeps the process alive.
process.exitCode = await run(process.argv.slice(2), processIO());
