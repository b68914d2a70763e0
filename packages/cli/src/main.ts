import { processIO } from './cli/io.ts';
import { run } from './cli/run.ts';

// Exit code rather than process.exit(): pending output is flushed first. Every client is closed
// by then, so nothing keeps the process alive. No top-level await: the standalone binary runs
// this file bundled as CommonJS (Node 24's single executables take no ES module entry).
void run(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
