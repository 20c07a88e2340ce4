// Trainer process entry (bundled to dist/trainer.js; forked by the extension, also run by `spo train`).
// It exits when training ends: the wasm heap never shrinks, so a finished run must give it back.
import * as fs from 'fs';
import * as path from 'path';
import { runTrainer } from './run';

/** The bundle copies tfjs-backend-wasm's .wasm files beside dist/trainer.js. */
function bundledWasmDir(): string | undefined {
  return fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm-simd.wasm')) ? __dirname : undefined;
}

if (require.main === module) {
  runTrainer(process.argv.slice(2), { stderr: process.stderr, wasmDir: bundledWasmDir() }).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`spo trainer: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
