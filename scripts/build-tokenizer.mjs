// Build step: writes dist/tokenize/phi3-vocabulary.bin, the Phi-3 vocabulary and merges as the
// encoder needs them, so `phikit` does not rebuild them from llama-tokenizer-js on every start.
import { PREBUILT_VOCABULARY_URL, writePrebuiltVocabulary } from '../dist/tokenize/phi3.js';

await writePrebuiltVocabulary(PREBUILT_VOCABULARY_URL);
