import { mkdir, open } from 'node:fs/promises'
import path from 'node:path'

/** Writes text that comes in pieces to `file` (its folder created), one piece at a time. */
export async function writeChunks(file: string, chunks: Iterable<string>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const handle = await open(file, 'w')
  try {
    for (const chunk of chunks) await handle.write(chunk)
  } finally {
    await handle.close()
  }
}
