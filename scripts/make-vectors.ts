// Writes test/vectors/augment.json, the augmenter's shared test vectors, from the TS implementation
// (test/vectors/augmentVectors.ts). The TS suite fails when the committed file differs from this output.
import * as fs from 'fs';
import * as path from 'path';
import { AUGMENT_VECTORS_FILE, augmentVectorsText } from '../test/vectors/augmentVectors';

const root = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../..' : '..');
const file = path.join(root, AUGMENT_VECTORS_FILE);
fs.writeFileSync(file, augmentVectorsText());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
