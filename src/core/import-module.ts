// import() of the packages phikit loads on first use and of user files (scorers). The CLI's
// compiled bundle (cli/compiled-bundle.ts) runs as a vm Script, where Node 20 has no loader for a
// plain import(); the CLI's launcher lends its own, and every such import goes through here.
type Importer = (specifier: string) => Promise<unknown>;

const LENT_IMPORTER = Symbol.for('phikit.importer');

/** Called by the launcher, before the bundle starts. */
export function lendImporter(importer: Importer): void {
  (globalThis as Record<symbol, unknown>)[LENT_IMPORTER] = importer;
}

/** The module `specifier` names (a package, or a file: URL), typed by the caller. */
export async function importModule<T>(specifier: string): Promise<T> {
  const lent = (globalThis as Record<symbol, unknown>)[LENT_IMPORTER] as Importer | undefined;
  return (await (lent ? lent(specifier) : import(specifier))) as T;
}
