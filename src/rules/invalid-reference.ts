import type { Finding } from '../findings/finding.js'
import { InvalidReferenceError, parseReference, type ImageReference } from '../images/reference.js'
import { makeFinding, type At } from './finding-factory.js'

/** The outcome of reading an image string: a reference, or the finding that says why it is none. */
export type ParseOutcome = { reference: ImageReference; finding?: undefined } | { reference?: undefined; finding: Finding }

const KUBELET_FAILURE = 'The kubelet would fail the pod with InvalidImageName ("couldn\'t parse image name").'

/**
 * `invalid-reference`: parses an image as the kubelet and the container runtime do
 * (distribution/reference); a string they reject can never be pulled.
 */
export function parseImage(image: string, isString: boolean, at: At): ParseOutcome {
  if (!isString) {
    return {
      finding: makeFinding(
        'invalid-reference',
        at,
        `image ${show(image)} is not a string: Kubernetes rejects the manifest ("cannot unmarshal … into … of type string"). Quote it.`,
        image
      )
    }
  }
  if (image.trim() === '') {
    return {
      finding: makeFinding('invalid-reference', at, 'image is empty: Kubernetes rejects a container without an image. Set the image to pull.', image)
    }
  }
  try {
    const reference = parseReference(image)
    if (reference.domain === '') return { finding: hostlessFinding(image, at) }
    return { reference }
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error
    return {
      finding: makeFinding('invalid-reference', at, `image ${show(image)} is not a valid reference: ${error.message}. ${KUBELET_FAILURE}`, image)
    }
  }
}

function show(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)
}

/**
 * distribution/reference reads `foo_bar.com/app` as a path with no registry (an underscore cannot
 * be in a host name), while containerd still dials `foo_bar.com`: the pull can only fail.
 */
function hostlessFinding(image: string, at: At): Finding {
  const first = image.slice(0, image.indexOf('/'))
  return makeFinding(
    'invalid-reference',
    at,
    `image ${show(image)} names the registry ${show(first)}, which is not a valid host name (hosts allow letters, digits, "-" and "." only), ` +
      'so no container runtime can pull it. Fix the registry host.',
    image
  )
}
