import { describe, expect, test } from '@jest/globals'
import { keyMatchesImage, keysCoverImage } from '../../src/pullsecrets/keyring.js'

// The examples of the Kubernetes docs "Interpretation of config.json" and keyring_test.go.
describe('the kubelet keyring rules', () => {
  test.each([
    ['*.kubernetes.io', 'abc.kubernetes.io', true],
    ['*.kubernetes.io', 'kubernetes.io', false],
    ['*.*.kubernetes.io', 'abc.kubernetes.io', false],
    ['*.*.kubernetes.io', 'abc.def.kubernetes.io', true],
    ['prefix.*.io', 'prefix.kubernetes.io', true],
    ['*-good.kubernetes.io', 'prefix-good.kubernetes.io', true],
    ['my-registry.io/images', 'my-registry.io/images/app', true],
    ['my-registry.io/images', 'my-registry.io/other/app', false],
    ['https://my-registry.io/v2/', 'my-registry.io/app', true],
    ['my-registry.io:5000', 'my-registry.io:5000/app', true],
    ['my-registry.io:5000', 'my-registry.io/app', false],
    ['my-registry.io', 'my-registry.io:5000/app', false],
    ['127.0.0.1:5000', '127.0.0.1:5001/app', false]
  ])('%s serves %s: %s', (key, image, expected) => {
    expect(keyMatchesImage(key, image)).toBe(expected)
  })

  test("Docker Hub's entry serves docker.io images, not others", () => {
    expect(keysCoverImage(['https://index.docker.io/v1/'], 'docker.io', 'library/nginx')).toBe(true)
    expect(keysCoverImage(['index.docker.io'], 'docker.io', 'acme/app')).toBe(true)
    expect(keysCoverImage(['https://index.docker.io/v1/'], 'ghcr.io', 'acme/app')).toBe(false)
  })
})
