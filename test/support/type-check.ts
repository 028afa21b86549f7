import ts from 'typescript'
import { mkdir, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'

type Test = { teardown(fn: () => unknown): void }

/**
 * A directory under test/docs/client/.generated (inside the project, so that what the generated
 * code imports resolves from node_modules), removed when the test ends.
 */
export async function generatedDir (t: Test, prefix = '') {
  const dir = fileURLToPath(new URL(`../docs/client/.generated/${prefix}${randomBytes(4).toString('hex')}/`, import.meta.url))
  await mkdir(dir, { recursive: true })
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** What `tsc --strict` under NodeNext says of the program rooted at `file` (empty: it type-checks). */
export function strictErrors (file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true
  })
  return ts.getPreEmitDiagnostics(program).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}
