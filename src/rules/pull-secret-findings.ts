import type { Finding } from '../findings/finding.js'
import type { ImageReference } from '../images/reference.js'
import type { ImageOccurrence } from '../manifests/extract.js'
import type { PullSecretProblem } from '../pullsecrets/analyze.js'
import { makeFinding } from './finding-factory.js'

const KUBELET = 'The kubelet would fail with ErrImagePull ("401 Unauthorized" / "pull access denied"), then ImagePullBackOff.'

/** The finding for a pod that could not pull its private image; it names the workload, namespace, ServiceAccount and Secrets. */
export function pullSecretFinding(occurrence: ImageOccurrence, reference: ImageReference, problem: PullSecretProblem): Finding {
  const registry = reference.domain
  const workload = `${occurrence.kind} ${occurrence.objectName ?? '(unnamed)'}`
  const ns = occurrence.namespace ?? 'default'
  const where = `${workload} in namespace ${occurrence.namespace ? ns : `${ns} (none is written; it lands in the namespace it is applied to)`}`
  const sa = `ServiceAccount ${problem.serviceAccount}`
  const create = `\`kubectl create secret docker-registry regcred --docker-server=${registry} --docker-username=USER --docker-password=PASSWORD -n ${ns}\``
  const stanza = '`imagePullSecrets: [{name: regcred}]` to the pod spec'
  const patch = `\`kubectl patch serviceaccount ${problem.serviceAccount} -n ${ns} -p '{"imagePullSecrets":[{"name":"regcred"}]}'\` (or its manifest)`
  const image = reference.original
  switch (problem.rule) {
    case 'pull-secret-missing':
      return makeFinding(
        'pull-secret-missing',
        occurrence,
        `${image} is private (${registry} refuses anonymous pulls), but ${where} names no imagePullSecrets, and its ${sa} ` +
          `${problem.serviceAccountFound ? 'has none either' : 'is not among the scanned manifests, so none are known'}. ${KUBELET} ` +
          `Create a pull secret (${create}) and add ${stanza} or to the ServiceAccount (${patch}); if the nodes pull from ${registry} on their own (a kubelet credential provider), add it to \`node-credentials\`.`,
        image
      )
    case 'pull-secret-not-found':
      return makeFinding(
        'pull-secret-not-found',
        occurrence,
        `${image} is private, and ${where} pulls it with the Secret${problem.missing.length > 1 ? 's' : ''} ${problem.missing.map((n) => `"${n}"`).join(', ')} ` +
          `(${problem.via === 'pod' ? 'its own imagePullSecrets' : `from its ${sa}`}), which exist${problem.missing.length > 1 ? '' : 's'} neither in the scanned manifests nor in \`cluster-pull-secrets\` for namespace ${ns}. ${KUBELET} ` +
          `Create it (${create.replace('regcred', problem.missing[0]!)}), or, if it is created outside this repository, list it in \`cluster-pull-secrets\` (${ns}/${problem.missing[0]}=${registry}).`,
        image
      )
    case 'pull-secret-wrong-registry': {
      const described = problem.secrets
        .map((s) => `"${s.name}" (${s.problem ?? (s.registries.length > 0 ? `covers ${s.registries.join(', ')}` : 'covers no registry')})`)
        .join(', ')
      return makeFinding(
        'pull-secret-wrong-registry',
        occurrence,
        `${image} is private, and ${where} pulls it with ${described} (${problem.via === 'pod' ? 'its own imagePullSecrets' : `from its ${sa}`}), none of which has an entry for ${registry}/${reference.path} ` +
          `(the kubelet matches host, port and path prefix exactly; another port or host does not count). ${KUBELET} ` +
          `Add an entry for ${registry} to the Secret, or create one for it (${create}) and add it to imagePullSecrets.`,
        image
      )
    }
  }
}
