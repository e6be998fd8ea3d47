import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** `../shared` beside the checkout: third-party data that is read in place, never copied. */
export const SHARED = process.env.PULLGATE_SHARED_DIR ?? path.resolve(ROOT, '..', 'shared')

/** The real-world manifest corpus, when `../shared` is present. */
export const CORPUS = path.join(SHARED, 'corpus')

export const hasCorpus = existsSync(path.join(CORPUS, 'expected-images.tsv'))

/** Reads a TSV with a header row into objects keyed by column name. */
export function readTsv(text: string): Array<Record<string, string>> {
  const [header, ...rows] = text.replace(/\n$/, '').split('\n')
  const columns = header!.split('\t')
  return rows.map((row) => {
    const cells = row.split('\t')
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']))
  })
}
