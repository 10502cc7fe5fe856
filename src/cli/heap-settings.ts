// The CLI's V8 heap settings. prep's garbage is per record or per batch, its live set small
// (~12 MB per thread at 100 MB of input; the large signatures are typed arrays outside the heap):
// - V8 grows a busy thread's young generation up to 2 x 16 MB; kept at its start size (2 x 1 MB)
//   it costs no measurable time and saves 30-70 MB of peak memory.
// - After a full GC V8 lets the old generation grow to up to 4x its live size before the next one;
//   a batch's promoted garbage then piles up to 40-45 MB per thread. A fixed growth of 2x (V8
//   still allows at least 8 MB more) took 100 MB of input from 252-278 to 201-216 MB of peak
//   memory, median CPU 19.2 -> 19.5 s (5 interleaved runs each). A larger live heap pays more:
//   at 1 GB 1-4% more CPU with the defaults, 6% with `--threads 1` (side by side, one run each).
//   1.5x saved little more (194-206 MB) and cost ~12% more CPU at 100 MB.
// And once worker threads run (prep from 32 MiB of input), V8 optimises a function after 16x as
// much work as its default (--interrupt-budget). Each thread compiles its own optimised code, and
// a function optimised early meets new shapes of data, is thrown away and compiled again: 16% of
// a 100 MB prep's CPU went to TurboFan on V8's helper threads, competing with the workers for the
// two cores. 16x at 40 MB: 3.13 -> 2.74 s, 5.6 -> 4.8 CPU-s (medians of 6 alternated runs); at
// 100 MB 5.84 -> 5.47 s (5 runs; 4x 5.78 s, 8x 5.60 s); with the flag on the command line 64x
// gained less than 16x and 256x lost. In one thread it loses (100 MB with `--threads 1`:
// 8.2 -> 9.3 s): there compiling takes the idle core, and later means slower code for longer.
// The flags are process-wide (worker threads follow them), so the CLI sets them first thing; the
// library never does.
import { setV8Flag, setV8FlagOnceWorkersStart } from '../core/v8-flags.js';

setV8Flag('--semi-space-growth-factor=1');
setV8Flag('--heap-growing-percent=100');
setV8FlagOnceWorkersStart('--interrupt-budget=1081344');
