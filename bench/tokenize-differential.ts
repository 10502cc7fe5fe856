// `npm run bench:tokenize-diff [-- --mb 50 --seed 20240601 --write]`: the differential test at full
// size. Generates multilingual documents from the reference datasets (the generator the test suite
// uses at 1 MB) and compares phikit's fast encoder with @huggingface/tokenizers on Microsoft's
// tokenizer.json, document by document. Exits 1 on any difference.
import { parseArgs } from 'node:util';
import { phi3Vocabulary } from '../src/tokenize/phi3.js';
import { SpBpeEncoder } from '../src/tokenize/sp-bpe.js';
import { hasShared } from '../test/helpers/shared.js';
import { datasetStrings, referenceTokenizer } from '../test/tokenize/real-data.js';
import { generateCorpus, textLines } from './tokenize-corpus.js';
import { writeReadmeBlock } from './tokenize-readme.js';

const { values: flags } = parseArgs({
  options: {
    mb: { type: 'string', default: '50' },
    seed: { type: 'string', default: '20240601' },
    write: { type: 'boolean', default: false },
  },
});
if (!hasShared) {
  console.error('bench:tokenize-diff needs ../shared/reference (datasets and Microsoft tokenizer.json)');
  process.exit(1);
}
const megabytes = Number(flags.mb);
const seed = Number(flags.seed);
const documents = generateCorpus(textLines(datasetStrings()), megabytes * 1e6, seed);
const encoder = new SpBpeEncoder(await phi3Vocabulary('phi-3'));
const reference = referenceTokenizer('phi3-mini');
let bytes = 0;
let tokens = 0;
let differences = 0;
const started = Date.now();
for (const [index, document] of documents.entries()) {
  const ids = encoder.encode(document);
  const expected = reference.encode(document, { add_special_tokens: false }).ids;
  bytes += Buffer.byteLength(document);
  tokens += expected.length;
  if (ids.length !== expected.length || ids.some((id, at) => id !== expected[at])) {
    differences++;
    if (differences <= 5)
      console.error(`document ${index} differs: ${JSON.stringify(document.slice(0, 200))}`);
  }
  if (index % 2000 === 0) process.stderr.write(`\r${(bytes / 1e6).toFixed(1)} MB compared`);
}
const summary =
  `${documents.length.toLocaleString('en-US')} documents, ${(bytes / 1e6).toFixed(1)} MB, ` +
  `${tokens.toLocaleString('en-US')} tokens (seed ${seed}): ${differences} documents differ ` +
  `(${((Date.now() - started) / 1000).toFixed(0)} s).`;
console.log(`\n${summary}`);
if (flags.write) {
  await writeReadmeBlock(
    'bench:tokenize-diff',
    `### Differential test at full size\n\nCommand: \`npm run bench:tokenize-diff -- --mb ${megabytes} --seed ${seed} --write\`\n\n` +
      `phikit's fast encoder vs @huggingface/tokenizers 0.2 with Microsoft's Phi-3 mini tokenizer.json, ids compared ` +
      `document by document: ${summary}`,
  );
}
process.exitCode = differences === 0 ? 0 : 1;
