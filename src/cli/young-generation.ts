// V8 grows a busy thread's young generation up to 2 x 16 MB. prep's garbage dies young (a record's
// parsed form, its cleaned strings), so a young generation kept at its start size (2 x 1 MB) costs
// no measurable time and saves 30-70 MB of peak memory (README, Benchmarks). The flag is process-wide
// (worker threads follow it), so the CLI sets it first thing; the library never does.
import { setV8Flag } from '../core/v8-flags.js';

setV8Flag('--semi-space-growth-factor=1');
