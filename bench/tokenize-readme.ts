// Writes one marked block of bench/README.md (creating the file with its heading if missing),
// leaving everything outside the markers untouched, formatted with the repo's prettier config so
// `npm run lint` stays clean.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function writeReadmeBlock(name: string, content: string): Promise<void> {
  const path = new URL('./README.md', import.meta.url);
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  // Blank lines around the content, as prettier formats Markdown.
  const block = `${start}\n\n${content.trim()}\n\n${end}`;
  const readme = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const at = readme.indexOf(start);
  const after = readme.indexOf(end);
  const next =
    at !== -1 && after > at
      ? readme.slice(0, at) + block + readme.slice(after + end.length)
      : `${readme.trimEnd()}\n\n${block}\n`;
  const prettier = await import('prettier');
  const filepath = fileURLToPath(path);
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  writeFileSync(path, await prettier.format(next, { ...options, filepath }));
}
