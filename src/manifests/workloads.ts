/**
 * Where Kubernetes objects keep their images. Two small tables, easy to extend: the built-in
 * workload kinds (to tell a standard pod spec from one a custom resource embeds), and the image
 * fields of custom resources that are not `containers` lists.
 */

/** The three lists of a PodSpec that hold containers; any object's list of that name counts. */
export const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const

/** Built-in kinds, their API groups ('' is core) and the path of their pod spec. */
export const BUILTIN_POD_SPECS: ReadonlyArray<{ groups: readonly string[]; kinds: readonly string[]; podSpecPath: string }> = [
  { groups: [''], kinds: ['Pod'], podSpecPath: 'spec' },
  { groups: [''], kinds: ['PodTemplate'], podSpecPath: 'template.spec' },
  { groups: [''], kinds: ['ReplicationController'], podSpecPath: 'spec.template.spec' },
  { groups: ['apps', 'extensions'], kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'], podSpecPath: 'spec.template.spec' },
  { groups: ['batch'], kinds: ['Job'], podSpecPath: 'spec.template.spec' },
  { groups: ['batch'], kinds: ['CronJob'], podSpecPath: 'spec.jobTemplate.spec.template.spec' }
]

/** What an image field is for: most are pulled by a node; some only name a repository to watch. */
export type ImagePurpose = 'pull' | 'repository'

/** Image fields of custom resources outside `containers` lists. */
export interface CrdImageFields {
  readonly group: string
  readonly kinds: readonly string[]
  /** keys, anywhere in the object, whose value is one container-like mapping with an `image` */
  readonly containers?: readonly string[]
  /** keys, anywhere in the object, whose value is a list of container-like mappings */
  readonly lists?: readonly string[]
  /** exact dotted paths from the object root to an image string */
  readonly paths?: readonly string[]
  readonly purpose?: ImagePurpose
}

export const CRD_IMAGE_FIELDS: readonly CrdImageFields[] = [
  // Argo Workflows: templates[].container / .script / .sidecars[] (also under CronWorkflow workflowSpec)
  {
    group: 'argoproj.io',
    kinds: ['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow'],
    containers: ['container', 'script'],
    lists: ['sidecars']
  },
  // Tekton: steps, sidecars and stepTemplate wherever a taskSpec is embedded
  {
    group: 'tekton.dev',
    kinds: ['Task', 'ClusterTask', 'TaskRun', 'Pipeline', 'PipelineRun'],
    containers: ['stepTemplate'],
    lists: ['steps', 'sidecars']
  },
  { group: 'tekton.dev', kinds: ['StepAction'], paths: ['spec.image'] },
  // prometheus-operator runs the image its custom resources name
  {
    group: 'monitoring.coreos.com',
    kinds: ['Prometheus', 'Alertmanager', 'ThanosRuler', 'PrometheusAgent'],
    paths: ['spec.image']
  },
  // Knative's image cache pulls the image onto every node
  { group: 'caching.internal.knative.dev', kinds: ['Image'], paths: ['spec.image'] },
  // Flux image automation scans a repository's tags: the repository must exist, no tag is pulled
  { group: 'image.toolkit.fluxcd.io', kinds: ['ImageRepository'], paths: ['spec.image'], purpose: 'repository' }
]

/**
 * API groups whose `containers` lists are patterns, not images (Kyverno policies match
 * `image: "*:latest"`); reading them as images would fail a repository for its own guard rails.
 */
export const PATTERN_GROUPS: readonly string[] = ['kyverno.io', 'policies.kyverno.io', 'reports.kyverno.io']

/** The API group of an `apiVersion` ('' for core `v1`). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

/** The pod spec path of a built-in kind, or undefined for anything else. */
export function builtinPodSpecPath(apiVersion: string, kind: string): string | undefined {
  const group = apiGroup(apiVersion)
  return BUILTIN_POD_SPECS.find((w) => w.kinds.includes(kind) && w.groups.includes(group))?.podSpecPath
}

/** The image-field table entry for an object, if its kind has one. */
export function crdImageFields(apiVersion: string, kind: string): CrdImageFields | undefined {
  const group = apiGroup(apiVersion)
  return CRD_IMAGE_FIELDS.find((c) => c.group === group && c.kinds.includes(kind))
}

/** `List`, `DeploymentList`, … hold their objects in `items`. */
export function isListKind(kind: string): boolean {
  return kind === 'List' || kind.endsWith('List')
}
