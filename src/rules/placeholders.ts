/**
 * Template placeholders that tools substitute before the kubelet sees an image: Helm and Argo
 * `{{ … }}`, envsubst/Flux `${VAR}`, Tekton `$(params.x)`, and ko's `ko://` import paths.
 * The kubelet itself never expands them in `image` (only in command, args and env).
 */
export interface Placeholder {
  /** what the placeholder is, for the message */
  readonly tool: string
  /** offset of the placeholder inside the image string */
  readonly index: number
  readonly text: string
}

const PATTERNS: ReadonlyArray<{ re: RegExp; tool: string }> = [
  { re: /\{\{.*?\}\}|\{\{.*/, tool: 'a Go/Helm/Argo template expression' },
  { re: /\$\{[^}]*\}?/, tool: 'an environment-variable placeholder (envsubst, Flux post-build)' },
  { re: /\$\([^)]*\)?/, tool: 'a Tekton/Kubernetes-style $(…) substitution' },
  { re: /^ko:\/\/.*/, tool: 'a ko import path, replaced by `ko resolve` at build time' }
]

/** The first placeholder in an image string, if any. */
export function findPlaceholder(image: string): Placeholder | undefined {
  let best: Placeholder | undefined
  for (const { re, tool } of PATTERNS) {
    const m = re.exec(image)
    if (m && (!best || m.index < best.index)) best = { tool, index: m.index, text: m[0] }
  }
  return best
}
