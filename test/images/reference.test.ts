import { describe, test, expect } from '@jest/globals'
import fc from 'fast-check'
import {
  InvalidReferenceError,
  canonicalReference,
  effectiveTag,
  familiarReference,
  parseReference,
  pullReference,
  repositoryName,
  type ImageReference,
  type ReferenceErrorCode
} from '../../src/images/reference.js'

// Vectors come from docs/registry-facts.md §1.3 and distribution/reference's normalize_test.go,
// reference_test.go and regexp_test.go, rewritten for ParseNormalizedNamed where the Go test used Parse.

const H64 = 'e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582'
const F64 = 'f'.repeat(64)
const SHA = `sha256:${H64}`
const SHAF = `sha256:${F64}`
const SHA512F = `sha512:${'f'.repeat(128)}`
const SHA384C = `sha384:${'c'.repeat(96)}`
const HEX_ID = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a'
const DBCC = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c'
const BE17 = 'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912'
const LONG_PATH = 'a/'.repeat(127) + 'a'
const SONG = 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev'

type Row = [
  input: string,
  domain: string,
  path: string,
  tag: string | undefined,
  digest: string | undefined,
  canonical: string,
  pull: string,
  familiar: string
]
const U = undefined

const valid: Row[] = [
  // registry-facts.md §1.3
  ['nginx', 'docker.io', 'library/nginx', U, U, 'docker.io/library/nginx:latest', 'docker.io/library/nginx:latest', 'nginx'],
  ['docker.io/nginx', 'docker.io', 'library/nginx', U, U, 'docker.io/library/nginx:latest', 'docker.io/library/nginx:latest', 'nginx'],
  ['index.docker.io/nginx', 'docker.io', 'library/nginx', U, U, 'docker.io/library/nginx:latest', 'docker.io/library/nginx:latest', 'nginx'],
  ['library/nginx', 'docker.io', 'library/nginx', U, U, 'docker.io/library/nginx:latest', 'docker.io/library/nginx:latest', 'nginx'],
  ['library/foo/bar', 'docker.io', 'library/foo/bar', U, U, 'docker.io/library/foo/bar:latest', 'docker.io/library/foo/bar:latest', 'library/foo/bar'],
  ['fooo/bar', 'docker.io', 'fooo/bar', U, U, 'docker.io/fooo/bar:latest', 'docker.io/fooo/bar:latest', 'fooo/bar'],
  ['localhost/fooo', 'localhost', 'fooo', U, U, 'localhost/fooo:latest', 'localhost/fooo:latest', 'localhost/fooo'],
  ['localhost:5000', 'docker.io', 'library/localhost', '5000', U, 'docker.io/library/localhost:5000', 'docker.io/library/localhost:5000', 'localhost:5000'],
  ['LOCALDOMAIN/fooo', 'LOCALDOMAIN', 'fooo', U, U, 'LOCALDOMAIN/fooo:latest', 'LOCALDOMAIN/fooo:latest', 'LOCALDOMAIN/fooo'],
  ['Foo/bar', 'Foo', 'bar', U, U, 'Foo/bar:latest', 'Foo/bar:latest', 'Foo/bar'],
  ['127.0.0.1:5000/debian', '127.0.0.1:5000', 'debian', U, U, '127.0.0.1:5000/debian:latest', '127.0.0.1:5000/debian:latest', '127.0.0.1:5000/debian'],
  ['[fc00::1]:5000/docker', '[fc00::1]:5000', 'docker', U, U, '[fc00::1]:5000/docker:latest', '[fc00::1]:5000/docker:latest', '[fc00::1]:5000/docker'],
  ['192.168.0.1', 'docker.io', 'library/192.168.0.1', U, U, 'docker.io/library/192.168.0.1:latest', 'docker.io/library/192.168.0.1:latest', '192.168.0.1'],
  ['example.com', 'docker.io', 'library/example.com', U, U, 'docker.io/library/example.com:latest', 'docker.io/library/example.com:latest', 'example.com'],
  [`busybox:latest@${SHA}`, 'docker.io', 'library/busybox', 'latest', SHA, `docker.io/library/busybox:latest@${SHA}`, `docker.io/library/busybox@${SHA}`, `busybox:latest@${SHA}`],
  [`registry.example:5000/ns/app@${SHA}`, 'registry.example:5000', 'ns/app', U, SHA, `registry.example:5000/ns/app@${SHA}`, `registry.example:5000/ns/app@${SHA}`, `registry.example:5000/ns/app@${SHA}`],
  ['registry-1.docker.io/library/nginx', 'registry-1.docker.io', 'library/nginx', U, U, 'registry-1.docker.io/library/nginx:latest', 'registry-1.docker.io/library/nginx:latest', 'registry-1.docker.io/library/nginx'],

  // normalize_test.go TestValidateReferenceName / TestValidateRemoteName
  ['docker/docker', 'docker.io', 'docker/docker', U, U, 'docker.io/docker/docker:latest', 'docker.io/docker/docker:latest', 'docker/docker'],
  ['library/debian', 'docker.io', 'library/debian', U, U, 'docker.io/library/debian:latest', 'docker.io/library/debian:latest', 'debian'],
  ['debian', 'docker.io', 'library/debian', U, U, 'docker.io/library/debian:latest', 'docker.io/library/debian:latest', 'debian'],
  ['docker.io/docker/docker', 'docker.io', 'docker/docker', U, U, 'docker.io/docker/docker:latest', 'docker.io/docker/docker:latest', 'docker/docker'],
  ['docker.io/library/debian', 'docker.io', 'library/debian', U, U, 'docker.io/library/debian:latest', 'docker.io/library/debian:latest', 'debian'],
  ['docker.io/debian', 'docker.io', 'library/debian', U, U, 'docker.io/library/debian:latest', 'docker.io/library/debian:latest', 'debian'],
  ['index.docker.io/docker/docker', 'docker.io', 'docker/docker', U, U, 'docker.io/docker/docker:latest', 'docker.io/docker/docker:latest', 'docker/docker'],
  ['index.docker.io/library/debian', 'docker.io', 'library/debian', U, U, 'docker.io/library/debian:latest', 'docker.io/library/debian:latest', 'debian'],
  ['index.docker.io/debian', 'docker.io', 'library/debian', U, U, 'docker.io/library/debian:latest', 'docker.io/library/debian:latest', 'debian'],
  ['127.0.0.1:5000/docker/docker', '127.0.0.1:5000', 'docker/docker', U, U, '127.0.0.1:5000/docker/docker:latest', '127.0.0.1:5000/docker/docker:latest', '127.0.0.1:5000/docker/docker'],
  ['127.0.0.1:5000/library/debian', '127.0.0.1:5000', 'library/debian', U, U, '127.0.0.1:5000/library/debian:latest', '127.0.0.1:5000/library/debian:latest', '127.0.0.1:5000/library/debian'],
  ['192.168.0.1:80', 'docker.io', 'library/192.168.0.1', '80', U, 'docker.io/library/192.168.0.1:80', 'docker.io/library/192.168.0.1:80', '192.168.0.1:80'],
  ['192.168.0.1:8/debian', '192.168.0.1:8', 'debian', U, U, '192.168.0.1:8/debian:latest', '192.168.0.1:8/debian:latest', '192.168.0.1:8/debian'],
  ['192.168.0.2:25000/debian', '192.168.0.2:25000', 'debian', U, U, '192.168.0.2:25000/debian:latest', '192.168.0.2:25000/debian:latest', '192.168.0.2:25000/debian'],
  [SONG, 'docker.io', `library/${SONG}`, U, U, `docker.io/library/${SONG}:latest`, `docker.io/library/${SONG}:latest`, SONG],
  ['[fc00::1]:5000/docker/docker', '[fc00::1]:5000', 'docker/docker', U, U, '[fc00::1]:5000/docker/docker:latest', '[fc00::1]:5000/docker/docker:latest', '[fc00::1]:5000/docker/docker'],
  ['[fc00:1:2:3:4:5:6:7]:5000/library/debian', '[fc00:1:2:3:4:5:6:7]:5000', 'library/debian', U, U, '[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest', '[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest', '[fc00:1:2:3:4:5:6:7]:5000/library/debian'],
  // Go's FamiliarString would print the bare hex here, which it then refuses to parse; see familiarReference.
  [`docker.io/${HEX_ID}`, 'docker.io', `library/${HEX_ID}`, U, U, `docker.io/library/${HEX_ID}:latest`, `docker.io/library/${HEX_ID}:latest`, `library/${HEX_ID}`],
  ['Docker/docker', 'Docker', 'docker', U, U, 'Docker/docker:latest', 'Docker/docker:latest', 'Docker/docker'],
  ['DOCKER/docker', 'DOCKER', 'docker', U, U, 'DOCKER/docker:latest', 'DOCKER/docker:latest', 'DOCKER/docker'],
  ['docker-rules/docker', 'docker.io', 'docker-rules/docker', U, U, 'docker.io/docker-rules/docker:latest', 'docker.io/docker-rules/docker:latest', 'docker-rules/docker'],
  ['docker---rules/docker', 'docker.io', 'docker---rules/docker', U, U, 'docker.io/docker---rules/docker:latest', 'docker.io/docker---rules/docker:latest', 'docker---rules/docker'],
  ['d/docker', 'docker.io', 'd/docker', U, U, 'docker.io/d/docker:latest', 'docker.io/d/docker:latest', 'd/docker'],
  ['jess/t', 'docker.io', 'jess/t', U, U, 'docker.io/jess/t:latest', 'docker.io/jess/t:latest', 'jess/t'],
  ['dock__er/docker', 'docker.io', 'dock__er/docker', U, U, 'docker.io/dock__er/docker:latest', 'docker.io/dock__er/docker:latest', 'dock__er/docker'],

  // normalize_test.go TestParseRepositoryInfo
  ['index.docker.io/fooo/bar', 'docker.io', 'fooo/bar', U, U, 'docker.io/fooo/bar:latest', 'docker.io/fooo/bar:latest', 'fooo/bar'],
  ['nonlibrary/ubuntu', 'docker.io', 'nonlibrary/ubuntu', U, U, 'docker.io/nonlibrary/ubuntu:latest', 'docker.io/nonlibrary/ubuntu:latest', 'nonlibrary/ubuntu'],
  ['other/library', 'docker.io', 'other/library', U, U, 'docker.io/other/library:latest', 'docker.io/other/library:latest', 'other/library'],
  ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000', 'private/moonbase', U, U, '127.0.0.1:8000/private/moonbase:latest', '127.0.0.1:8000/private/moonbase:latest', '127.0.0.1:8000/private/moonbase'],
  ['example.com/privatebase', 'example.com', 'privatebase', U, U, 'example.com/privatebase:latest', 'example.com/privatebase:latest', 'example.com/privatebase'],
  ['example.com:8000/private/moonbase', 'example.com:8000', 'private/moonbase', U, U, 'example.com:8000/private/moonbase:latest', 'example.com:8000/private/moonbase:latest', 'example.com:8000/private/moonbase'],
  ['index.docker.io/library/ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base', U, U, 'docker.io/library/ubuntu-12.04-base:latest', 'docker.io/library/ubuntu-12.04-base:latest', 'ubuntu-12.04-base'],
  ['store/foo/bar', 'docker.io', 'store/foo/bar', U, U, 'docker.io/store/foo/bar:latest', 'docker.io/store/foo/bar:latest', 'store/foo/bar'],
  ['FOO/bar', 'FOO', 'bar', U, U, 'FOO/bar:latest', 'FOO/bar:latest', 'FOO/bar'],

  // normalize_test.go TestParseAnyReference (the named cases) and TestNormalizedSplitHostname
  ['redis:latest', 'docker.io', 'library/redis', 'latest', U, 'docker.io/library/redis:latest', 'docker.io/library/redis:latest', 'redis:latest'],
  [`redis@sha256:${DBCC}`, 'docker.io', 'library/redis', U, `sha256:${DBCC}`, `docker.io/library/redis@sha256:${DBCC}`, `docker.io/library/redis@sha256:${DBCC}`, `redis@sha256:${DBCC}`],
  [`dmcgowan/myapp@sha256:${DBCC}`, 'docker.io', 'dmcgowan/myapp', U, `sha256:${DBCC}`, `docker.io/dmcgowan/myapp@sha256:${DBCC}`, `docker.io/dmcgowan/myapp@sha256:${DBCC}`, `dmcgowan/myapp@sha256:${DBCC}`],
  [DBCC.slice(0, 63), 'docker.io', `library/${DBCC.slice(0, 63)}`, U, U, `docker.io/library/${DBCC.slice(0, 63)}:latest`, `docker.io/library/${DBCC.slice(0, 63)}:latest`, DBCC.slice(0, 63)],
  ['dbcc1', 'docker.io', 'library/dbcc1', U, U, 'docker.io/library/dbcc1:latest', 'docker.io/library/dbcc1:latest', 'dbcc1'],
  ['test.com/foo', 'test.com', 'foo', U, U, 'test.com/foo:latest', 'test.com/foo:latest', 'test.com/foo'],
  ['test_com/foo', 'docker.io', 'test_com/foo', U, U, 'docker.io/test_com/foo:latest', 'docker.io/test_com/foo:latest', 'test_com/foo'],
  ['docker/migrator', 'docker.io', 'docker/migrator', U, U, 'docker.io/docker/migrator:latest', 'docker.io/docker/migrator:latest', 'docker/migrator'],
  ['test.com:8080/foo', 'test.com:8080', 'foo', U, U, 'test.com:8080/foo:latest', 'test.com:8080/foo:latest', 'test.com:8080/foo'],
  ['test-com:8080/foo', 'test-com:8080', 'foo', U, U, 'test-com:8080/foo:latest', 'test-com:8080/foo:latest', 'test-com:8080/foo'],
  ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo', U, U, 'xn--n3h.com:18080/foo:latest', 'xn--n3h.com:18080/foo:latest', 'xn--n3h.com:18080/foo'],
  ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar', U, U, 'docker.io/library/foo/bar:latest', 'docker.io/library/foo/bar:latest', 'library/foo/bar'],

  // normalize_test.go TestParseDockerRef
  ['busybox', 'docker.io', 'library/busybox', U, U, 'docker.io/library/busybox:latest', 'docker.io/library/busybox:latest', 'busybox'],
  [`busybox@${SHA}`, 'docker.io', 'library/busybox', U, SHA, `docker.io/library/busybox@${SHA}`, `docker.io/library/busybox@${SHA}`, `busybox@${SHA}`],
  ['docker.io/busybox:latest', 'docker.io', 'library/busybox', 'latest', U, 'docker.io/library/busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['gcr.io/library/busybox', 'gcr.io', 'library/busybox', U, U, 'gcr.io/library/busybox:latest', 'gcr.io/library/busybox:latest', 'gcr.io/library/busybox'],
  [`gcr.io/library/busybox:latest@${SHA}`, 'gcr.io', 'library/busybox', 'latest', SHA, `gcr.io/library/busybox:latest@${SHA}`, `gcr.io/library/busybox@${SHA}`, `gcr.io/library/busybox:latest@${SHA}`],

  // reference_test.go TestReferenceParse, normalized
  ['test_com', 'docker.io', 'library/test_com', U, U, 'docker.io/library/test_com:latest', 'docker.io/library/test_com:latest', 'test_com'],
  ['test.com:tag', 'docker.io', 'library/test.com', 'tag', U, 'docker.io/library/test.com:tag', 'docker.io/library/test.com:tag', 'test.com:tag'],
  ['test.com/repo:tag', 'test.com', 'repo', 'tag', U, 'test.com/repo:tag', 'test.com/repo:tag', 'test.com/repo:tag'],
  ['test:5000/repo', 'test:5000', 'repo', U, U, 'test:5000/repo:latest', 'test:5000/repo:latest', 'test:5000/repo'],
  [`test:5000/repo@${SHAF}`, 'test:5000', 'repo', U, SHAF, `test:5000/repo@${SHAF}`, `test:5000/repo@${SHAF}`, `test:5000/repo@${SHAF}`],
  [`test:5000/repo:tag@${SHAF}`, 'test:5000', 'repo', 'tag', SHAF, `test:5000/repo:tag@${SHAF}`, `test:5000/repo@${SHAF}`, `test:5000/repo:tag@${SHAF}`],
  ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase', U, 'docker.io/library/lowercase:Uppercase', 'docker.io/library/lowercase:Uppercase', 'lowercase:Uppercase'],
  [`${LONG_PATH}:tag-puts-this-over-max`, 'docker.io', LONG_PATH, 'tag-puts-this-over-max', U, `docker.io/${LONG_PATH}:tag-puts-this-over-max`, `docker.io/${LONG_PATH}:tag-puts-this-over-max`, `${LONG_PATH}:tag-puts-this-over-max`],
  ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com', 'bar/baz/quux', 'some-long-tag', U, 'sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag'],
  ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io', 'test.example.com/my-app', 'test.example.com', U, 'b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app:test.example.com'],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', 'myimage', 'xn--n3h.com', U, 'xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com'],
  [`xn--7o8h.com/myimage:xn--7o8h.com@${SHA512F}`, 'xn--7o8h.com', 'myimage', 'xn--7o8h.com', SHA512F, `xn--7o8h.com/myimage:xn--7o8h.com@${SHA512F}`, `xn--7o8h.com/myimage@${SHA512F}`, `xn--7o8h.com/myimage:xn--7o8h.com@${SHA512F}`],
  ['foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080', U, 'docker.io/library/foo_bar.com:8080', 'docker.io/library/foo_bar.com:8080', 'foo_bar.com:8080'],
  ['foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080', U, 'docker.io/foo/foo_bar.com:8080', 'docker.io/foo/foo_bar.com:8080', 'foo/foo_bar.com:8080'],
  ['192.168.1.1:tag', 'docker.io', 'library/192.168.1.1', 'tag', U, 'docker.io/library/192.168.1.1:tag', 'docker.io/library/192.168.1.1:tag', '192.168.1.1:tag'],
  ['192.168.1.1/repo', '192.168.1.1', 'repo', U, U, '192.168.1.1/repo:latest', '192.168.1.1/repo:latest', '192.168.1.1/repo'],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050', U, '192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo:5050'],
  ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo', U, U, '[2001:db8::1]/repo:latest', '[2001:db8::1]/repo:latest', '[2001:db8::1]/repo'],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]', 'repo', 'tag', U, '[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]/repo:tag'],
  [`[2001:db8::1]:5000/repo:tag@${SHAF}`, '[2001:db8::1]:5000', 'repo', 'tag', SHAF, `[2001:db8::1]:5000/repo:tag@${SHAF}`, `[2001:db8::1]:5000/repo@${SHAF}`, `[2001:db8::1]:5000/repo:tag@${SHAF}`],
  ['[2001:db8::]:5000/repo', '[2001:db8::]:5000', 'repo', U, U, '[2001:db8::]:5000/repo:latest', '[2001:db8::]:5000/repo:latest', '[2001:db8::]:5000/repo'],
  ['[::1]:5000/repo', '[::1]:5000', 'repo', U, U, '[::1]:5000/repo:latest', '[::1]:5000/repo:latest', '[::1]:5000/repo'],
  ['example.com:8000/named:tagged', 'example.com:8000', 'named', 'tagged', U, 'example.com:8000/named:tagged', 'example.com:8000/named:tagged', 'example.com:8000/named:tagged'],

  // regexp_test.go names and references, normalized
  ['registry.io/foo/project--id.module--name.ver---sion--name', 'registry.io', 'foo/project--id.module--name.ver---sion--name', U, U, 'registry.io/foo/project--id.module--name.ver---sion--name:latest', 'registry.io/foo/project--id.module--name.ver---sion--name:latest', 'registry.io/foo/project--id.module--name.ver---sion--name'],
  ['example.com/some_separator__underscore/myimage', 'example.com', 'some_separator__underscore/myimage', U, U, 'example.com/some_separator__underscore/myimage:latest', 'example.com/some_separator__underscore/myimage:latest', 'example.com/some_separator__underscore/myimage'],
  ['Asdf.com/foo/bar', 'Asdf.com', 'foo/bar', U, U, 'Asdf.com/foo/bar:latest', 'Asdf.com/foo/bar:latest', 'Asdf.com/foo/bar'],
  [`localhost:8080@${BE17}`, 'docker.io', 'library/localhost', '8080', BE17, `docker.io/library/localhost:8080@${BE17}`, `docker.io/library/localhost@${BE17}`, `localhost:8080@${BE17}`],
  [`localhost@${BE17}`, 'docker.io', 'library/localhost', U, BE17, `docker.io/library/localhost@${BE17}`, `docker.io/library/localhost@${BE17}`, `localhost@${BE17}`],
  [`localhost:8080/name@${BE17}`, 'localhost:8080', 'name', U, BE17, `localhost:8080/name@${BE17}`, `localhost:8080/name@${BE17}`, `localhost:8080/name@${BE17}`],

  // Other shapes worth pinning
  [`quay.io/ns/app:v1@${SHA384C}`, 'quay.io', 'ns/app', 'v1', SHA384C, `quay.io/ns/app:v1@${SHA384C}`, `quay.io/ns/app@${SHA384C}`, `quay.io/ns/app:v1@${SHA384C}`],
  ['nginx:_', 'docker.io', 'library/nginx', '_', U, 'docker.io/library/nginx:_', 'docker.io/library/nginx:_', 'nginx:_'],
  [`nginx:${'x'.repeat(128)}`, 'docker.io', 'library/nginx', 'x'.repeat(128), U, `docker.io/library/nginx:${'x'.repeat(128)}`, `docker.io/library/nginx:${'x'.repeat(128)}`, `nginx:${'x'.repeat(128)}`],
  // A first component with '.' that is no valid host: Go's regexp falls back to reading it as a path, no domain.
  ['foo_bar.com/baz', '', 'foo_bar.com/baz', U, U, 'foo_bar.com/baz:latest', 'foo_bar.com/baz:latest', 'foo_bar.com/baz'],
  // Go's FamiliarString would print 'foo.com/bar', which reads back as registry foo.com; see familiarReference.
  ['docker.io/foo.com/bar:1', 'docker.io', 'foo.com/bar', '1', U, 'docker.io/foo.com/bar:1', 'docker.io/foo.com/bar:1', 'docker.io/foo.com/bar:1'],
  ['docker.io/localhost/app', 'docker.io', 'localhost/app', U, U, 'docker.io/localhost/app:latest', 'docker.io/localhost/app:latest', 'docker.io/localhost/app']
]

describe('parseReference on valid references', () => {
  test.each(valid)('%s', (input, domain, path, tag, digest, canonical, pull, familiar) => {
    const ref = parseReference(input)
    expect(ref).toEqual({ original: input, domain, path, ...(tag !== U && { tag }), ...(digest !== U && { digest }) })
    expect(repositoryName(ref)).toBe(domain === '' ? path : `${domain}/${path}`)
    expect(canonicalReference(ref)).toBe(canonical)
    expect(pullReference(ref)).toBe(pull)
    expect(familiarReference(ref)).toBe(familiar)
    expect(effectiveTag(ref)).toBe(digest !== U ? U : (tag ?? 'latest'))
  })

  test('returns a frozen object without absent keys', () => {
    const ref = parseReference('nginx')
    expect(Object.isFrozen(ref)).toBe(true)
    expect(Object.keys(ref).sort()).toEqual(['domain', 'original', 'path'])
  })

  test('effectiveTag: written tag, default latest, none with a digest', () => {
    expect(effectiveTag(parseReference('nginx:1.27'))).toBe('1.27')
    expect(effectiveTag(parseReference('nginx'))).toBe('latest')
    expect(effectiveTag(parseReference(`nginx:1.27@${SHA}`))).toBeUndefined()
  })
})

/** The InvalidReferenceError parseReference throws for `input`; fails the test when it throws nothing or something else. */
function errorOf(input: string): InvalidReferenceError {
  try {
    parseReference(input)
  } catch (e) {
    if (e instanceof InvalidReferenceError) return e
    throw new Error(`expected InvalidReferenceError for ${JSON.stringify(input)}, got ${String(e)}`)
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`)
}

type Bad = [input: string, code: ReferenceErrorCode, goMessage: string]
const FMT = 'invalid reference format'

const invalid: Bad[] = [
  // registry-facts.md §1.3
  ['foo/Bar', 'name-not-lowercase', 'invalid reference format: repository name (foo/Bar) must be lowercase'],
  ['docker.io/docker/Docker', 'name-not-lowercase', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
  ['[fc00::1]:5000', 'invalid-format', FMT],
  ['fc00::1:5000/debian', 'invalid-format', FMT],
  ['[fe80::1%eth0]:5000/debian', 'invalid-format', FMT],
  ['https://github.com/docker/docker', 'has-scheme', FMT],
  ['docker///docker', 'invalid-format', FMT],
  ['-docker/docker', 'invalid-format', FMT],
  ['dock..er/x', 'invalid-format', FMT],
  ['docker/', 'invalid-format', FMT],

  // normalize_test.go invalid names
  ['docker/Docker', 'name-not-lowercase', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
  ['-docker', 'invalid-format', FMT],
  ['-docker.io/docker/docker', 'invalid-format', FMT],
  ['docker.io/docker///docker', 'invalid-format', FMT],
  ['[fc00::1]', 'invalid-format', FMT],
  ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'invalid-format', FMT],
  [HEX_ID, 'hex-identifier', `invalid repository name (${HEX_ID}), cannot specify 64-byte hexadecimal strings`],
  ['docker-/docker', 'invalid-format', FMT],
  ['-docker-/docker', 'invalid-format', FMT],
  ['____/____', 'invalid-format', FMT],
  ['_docker/_docker', 'invalid-format', FMT],
  ['dock..er/docker', 'invalid-format', FMT],
  ['dock_.er/docker', 'invalid-format', FMT],
  ['dock-.er/docker', 'invalid-format', FMT],
  [`${'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(3)}this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker`, 'name-too-long', 'repository name must not be more than 255 characters'],

  // reference_test.go, normalized
  ['', 'empty', FMT],
  [':justtag', 'name-empty', FMT],
  [`@${SHAF}`, 'name-empty', FMT],
  ['example.com/', 'name-empty', FMT],
  [`repo@sha256:${'f'.repeat(34)}`, 'invalid-digest', 'invalid checksum digest length'],
  [`validname@invaliddigest:${F64}`, 'invalid-digest', 'unsupported digest algorithm'],
  ['Uppercase:tag', 'name-not-lowercase', 'invalid reference format: repository name (library/Uppercase) must be lowercase'],
  ['test:5000/Uppercase/lowercase:tag', 'name-not-lowercase', 'invalid reference format: repository name (Uppercase/lowercase) must be lowercase'],
  [`${'a/'.repeat(128)}a:tag`, 'name-too-long', 'repository name must not be more than 255 characters'],
  ['aa/asdf$$^/aa', 'invalid-format', FMT],
  ['[2001:db8::1]', 'invalid-format', FMT],
  ['[2001:db8::1]:5000', 'invalid-format', FMT],
  ['[2001:db8::1]:tag', 'invalid-format', FMT],
  ['[fe80::1%eth0]:5000/repo', 'invalid-format', FMT],
  ['[fe80::1%@invalidzone]:5000/repo', 'invalid-format', FMT],

  // regexp_test.go references
  ['registry.com:8080/myapp@sha256:badbadbadbad', 'invalid-digest', 'invalid digest format'],
  ['registry.com:8080/myapp:invalid~tag', 'invalid-tag', 'invalid tag format'],
  ['bad_hostname.com:8080/myapp:tag', 'invalid-format', FMT],
  [`localhost:http/name@${BE17}`, 'invalid-format', FMT],
  ['registry.com:8080/myapp@bad', 'invalid-digest', 'invalid digest format'],
  ['registry.com:8080/myapp@2bad', 'invalid-digest', 'invalid digest format'],
  ['foo.com:http/bar', 'invalid-format', FMT],
  ['a/a/a/a/', 'invalid-format', FMT],
  ['a//a/a', 'invalid-format', FMT],
  ['example.com/__underscore/myimage', 'invalid-format', FMT],
  ['example.com/.dots/myimage', 'invalid-format', FMT],
  ['Foo/FarB', 'name-not-lowercase', 'invalid reference format: repository name (FarB) must be lowercase'],

  // go-digest per-algorithm validation
  [`nginx@sha256:${'F'.repeat(64)}`, 'invalid-digest', 'invalid checksum digest format'],
  [`nginx@sha512:${F64}`, 'invalid-digest', 'invalid checksum digest length'],
  [`nginx@sha384:${'f'.repeat(128)}`, 'invalid-digest', 'invalid checksum digest length'],
  [`nginx@md5:${'f'.repeat(32)}`, 'invalid-digest', 'unsupported digest algorithm'],
  [`nginx@sha256+b64:${F64}`, 'invalid-digest', 'unsupported digest algorithm'],
  [`nginx:1@SHA256:${F64}`, 'invalid-digest', 'invalid checksum digest format'],
  // Go checks case on everything before the first ':', which here includes the digest algorithm.
  [`nginx@SHA256:${F64}`, 'name-not-lowercase', 'invalid reference format: repository name (library/nginx@SHA256) must be lowercase'],
  [`nginx@sha256:${'f'.repeat(31)}`, 'invalid-digest', 'invalid digest format'],
  ['nginx@', 'invalid-digest', 'invalid digest format'],

  // Tags, schemes, uppercase hosts and odd input
  ['nginx:', 'invalid-tag', 'invalid tag format'],
  ['nginx:-bad', 'invalid-tag', 'invalid tag format'],
  ['nginx:.bad', 'invalid-tag', 'invalid tag format'],
  ['nginx:a:b', 'invalid-tag', 'invalid tag format'],
  [`nginx:${'x'.repeat(129)}`, 'invalid-tag', 'invalid tag format'],
  ['docker://nginx', 'has-scheme', FMT],
  ['HTTPS://Foo/bar', 'has-scheme', 'invalid reference format: repository name (/Foo/bar) must be lowercase'],
  // A malformed uppercase host is re-read as a path, so Parse reports its own lowercase error.
  ['Foo_Bar/baz', 'name-not-lowercase', 'repository name must be lowercase'],
  ['Foo', 'name-not-lowercase', 'invalid reference format: repository name (library/Foo) must be lowercase'],
  ['my_host.com:5000/app', 'invalid-format', FMT],
  [' nginx', 'invalid-format', FMT],
  ['nginx\n', 'invalid-format', FMT],
  ['ngi\u0000nx', 'invalid-format', FMT],
  ['ngínx', 'invalid-format', FMT],
  ['/nginx', 'invalid-format', FMT]
]

describe('parseReference on invalid references', () => {
  test.each(invalid)('%j', (input, code, goMessage) => {
    const err = errorOf(input)
    expect(err).toBeInstanceOf(Error)
    expect(err.code).toBe(code)
    expect(err.name).toBe('InvalidReferenceError')
    expect(err.message.startsWith(`${goMessage} — `)).toBe(true)
    expect(err.message.length).toBeGreaterThan(goMessage.length + 3 + 10)
    expect(err.message).not.toMatch(/[\n\r]|\bat .*\.ts:\d+/)
  })

  test.each([
    ['dock..er/x', 'invalid reference format — "dock..er" is not a valid path component: separators may not repeat'],
    ['foo/Bar', 'invalid reference format: repository name (foo/Bar) must be lowercase — "Bar" contains uppercase "B"; only the registry host may use uppercase letters'],
    ['https://github.com/docker/docker', 'invalid reference format — drop the "https://" prefix: an image reference is "registry/repository[:tag]", not a URL'],
    ['[fe80::1%eth0]:5000/debian', 'invalid reference format — "[fe80::1%eth0]:5000" is not a valid registry host: IPv6 zone identifiers ("%…") are not allowed'],
    ['fc00::1:5000/debian', 'invalid reference format — "fc00::1:5000" is not a valid registry host: an IPv6 address must be written in brackets, e.g. "[fc00::1]:5000"'],
    ['nginx:-bad', 'invalid tag format — tag "-bad" must start with a letter, digit or "_"'],
    [`nginx@sha256:${'f'.repeat(40)}`, 'invalid checksum digest length — sha256 digests have exactly 64 hex digits, this one has 40'],
    ['', 'invalid reference format — the image reference is empty'],
    ['a\u2028b', 'invalid reference format — "a\\u2028b" is not a valid path component: "\\u2028" is not allowed (use lowercase letters, digits, ".", "_" or "-")']
  ])('message for %j names the offending part', (input, message) => {
    expect(errorOf(input).message).toBe(message)
  })

  test('non-string input is rejected with InvalidReferenceError, not a TypeError', () => {
    for (const v of [undefined, null, 1.0, {}, ['nginx']]) {
      expect(() => parseReference(v as unknown as string)).toThrow(InvalidReferenceError)
    }
  })

  test('quoted input in messages is bounded', () => {
    const err = errorOf(`example.com/${'Z'.repeat(100_000)}`)
    expect(err.code).toBe('name-not-lowercase')
    expect(err.message.length).toBeLessThan(1000)
  })
})

describe('huge input stays linear', () => {
  const M = 1_000_000
  test.each([
    ['a', 'a'.repeat(M), 'name-too-long'],
    ['a/', 'a/'.repeat(M / 2) + 'a', 'name-too-long'],
    ['a-', 'a-'.repeat(M / 2) + 'a', 'name-too-long'],
    ['a.', 'a.'.repeat(M / 2), 'invalid-format'],
    ['a_', 'a_'.repeat(M / 2), 'invalid-format'],
    ['host labels', 'a.'.repeat(M / 2) + 'com/x', undefined],
    ['ipv6 colons', `[${':'.repeat(M)}]/x`, undefined],
    ['tag', 'x:' + 'a'.repeat(M), 'invalid-tag'],
    ['digest hex', 'x@sha256:' + 'a'.repeat(M), 'invalid-digest'],
    ['digest algorithm', 'x@' + 'a.'.repeat(M / 2) + 'a:' + F64, 'invalid-digest'],
    ['colons', ':'.repeat(M), 'name-empty'],
    ['emoji', '😀'.repeat(M / 2), 'invalid-format'],
    ['uppercase host', 'A_'.repeat(M / 2) + '/x', 'invalid-format'],
    ['scheme', 'h'.repeat(M) + '://x', 'has-scheme']
  ] as Array<[string, string, ReferenceErrorCode | undefined]>)('%s', (_name, input, code) => {
    const start = performance.now()
    let got: string | undefined
    try {
      parseReference(input)
    } catch (e) {
      got = (e as InvalidReferenceError).code
    }
    expect(performance.now() - start).toBeLessThan(500)
    expect(got).toBe(code)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Property tests. Generators follow the grammar in registry-facts.md §1.1.

const lowerAlnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789')
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
const wordChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_')
const hexLower = fc.constantFrom(...'0123456789abcdef')
const alnumRun = fc.string({ unit: lowerAlnum, minLength: 1, maxLength: 5 })
const separator = fc.constantFrom('.', '_', '__', '-', '--', '---')

const pathComponent = fc
  .tuple(alnumRun, fc.array(fc.tuple(separator, alnumRun), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''))
const path = fc.array(pathComponent, { minLength: 1, maxLength: 4 }).map((cs) => cs.join('/'))

const label = fc
  .tuple(alnum, fc.string({ unit: fc.oneof(alnum, fc.constant('-')), maxLength: 6 }), alnum)
  .map(([a, mid, b]) => (mid === '' ? a : a + mid + b))
const port = fc.option(fc.integer({ min: 0, max: 99999 }).map((p) => `:${p}`), { nil: '' })
const ipv4 = fc.tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 0, max: 255 }))).map((o) => o.join('.'))
const ipv6 = fc
  .array(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 4 }), { minLength: 3, maxLength: 8 })
  .map((groups) => `[${groups.join(':')}]`)
const domain = fc.oneof(
  fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), port).map(([ls, p]) => ls.join('.') + p),
  fc.tuple(ipv4, port).map(([h, p]) => h + p),
  fc.tuple(ipv6, port).map(([h, p]) => h + p),
  fc.constantFrom('localhost', 'localhost:5000', 'docker.io', 'index.docker.io', 'Registry.Example.com')
)
const tag = fc
  .tuple(wordChar, fc.string({ unit: fc.oneof(wordChar, fc.constantFrom('.', '-')), maxLength: 20 }))
  .map(([a, b]) => a + b)
const digest = fc.oneof(
  ...(
    [
      ['sha256', 64],
      ['sha384', 96],
      ['sha512', 128]
    ] as const
  ).map(([alg, n]) => fc.string({ unit: hexLower, minLength: n, maxLength: n }).map((hex) => `${alg}:${hex}`))
)

interface Generated {
  domain?: string
  path: string
  tag?: string
  digest?: string
}
const generated: fc.Arbitrary<Generated> = fc.record(
  {
    domain: domain,
    path: path,
    tag: tag,
    digest: digest
  },
  { requiredKeys: ['path'] }
)

function render(g: Generated): string {
  return (g.domain !== undefined ? `${g.domain}/` : '') + g.path + (g.tag !== undefined ? `:${g.tag}` : '') + (g.digest !== undefined ? `@${g.digest}` : '')
}

const HOST_PORT = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/

/** What normalization must produce for a generated reference, written from registry-facts.md §1.1–1.2. */
function expected(g: Generated): { domain: string; path: string } {
  const name = (g.domain !== undefined ? `${g.domain}/` : '') + g.path
  const slash = name.indexOf('/')
  if (slash < 0) return { domain: 'docker.io', path: `library/${name}` }
  const first = name.slice(0, slash)
  const rest = name.slice(slash + 1)
  const isHost = first === 'localhost' || first.includes('.') || first.includes(':') || first !== first.toLowerCase()
  if (!isHost) return { domain: 'docker.io', path: name }
  // A "host" the grammar cannot read as one (e.g. 'a_b.c') is taken back as the first path component.
  if (!HOST_PORT.test(first)) return { domain: '', path: name }
  if (first === 'index.docker.io' || first === 'docker.io') {
    return { domain: 'docker.io', path: rest.includes('/') ? rest : `library/${rest}` }
  }
  return { domain: first, path: rest }
}

const sameFields = (r: ImageReference) => ({ domain: r.domain, path: r.path, tag: r.tag, digest: r.digest })

describe('properties', () => {
  test('generated valid references parse, normalize as specified, and canonical/familiar forms read back the same', () => {
    fc.assert(
      fc.property(generated, (g) => {
        const text = render(g)
        const ref = parseReference(text)
        expect(ref.original).toBe(text)
        expect({ domain: ref.domain, path: ref.path }).toEqual(expected(g))
        expect(ref.tag).toBe(g.tag)
        expect(ref.digest).toBe(g.digest)

        const canonical = canonicalReference(ref)
        const again = parseReference(canonical)
        expect(sameFields(again)).toEqual({ ...sameFields(ref), tag: ref.tag ?? (ref.digest === undefined ? 'latest' : undefined) })
        expect(canonicalReference(again)).toBe(canonical)

        expect(canonicalReference(parseReference(familiarReference(ref)))).toBe(canonical)
        expect(parseReference(pullReference(ref)).digest).toBe(ref.digest)
      }),
      { numRuns: 2000 }
    )
  })

  const referenceAlphabet = fc.constantFrom(...'abcAZ09._-/:@[]%+ ', 'sha256:', 'localhost', 'docker.io', 'library/', F64)
  test.each([
    ['fc.string', fc.string({ maxLength: 80 })],
    ['full unicode', fc.string({ unit: 'binary', maxLength: 80 })],
    ['grapheme', fc.string({ unit: 'grapheme', maxLength: 40 })],
    ['reference alphabet', fc.string({ unit: referenceAlphabet, maxLength: 30 })],
    ['mutated valid', fc.tuple(generated, fc.nat(), fc.string({ maxLength: 3 })).map(([g, at, junk]) => {
      const s = render(g)
      const i = at % (s.length + 1)
      return s.slice(0, i) + junk + s.slice(i + 1)
    })]
  ] as Array<[string, fc.Arbitrary<string>]>)('%s: returns a reference or throws InvalidReferenceError, nothing else', (_name, arb) => {
    const codes = new Set<ReferenceErrorCode>(['invalid-format', 'name-not-lowercase', 'name-too-long', 'name-empty', 'invalid-tag', 'invalid-digest', 'hex-identifier', 'has-scheme', 'empty'])
    fc.assert(
      fc.property(arb, (text) => {
        let ref: ImageReference
        try {
          ref = parseReference(text)
        } catch (e) {
          if (!(e instanceof InvalidReferenceError)) throw e
          expect(codes.has(e.code)).toBe(true)
          expect(e.message).toMatch(/^[^\n\r\u2028\u2029]+ — [^\n\r\u2028\u2029]+$/)
          return
        }
        expect(ref.path).toMatch(/^[a-z0-9._/-]+$/)
        expect(canonicalReference(parseReference(canonicalReference(ref)))).toBe(canonicalReference(ref))
      }),
      { numRuns: 3000 }
    )
  })

  test('an uppercase letter in the path after a domain fails with name-not-lowercase', () => {
    fc.assert(
      fc.property(
        domain,
        path,
        fc.nat(),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
        fc.boolean(),
        fc.option(tag, { nil: undefined }),
        (d, p, at, upper, replace, t) => {
          const i = at % p.length
          const bad = p.slice(0, i) + upper + p.slice(replace ? i + 1 : i)
          const text = `${d}/${bad}` + (t !== undefined ? `:${t}` : '')
          expect(errorOf(text).code).toBe('name-not-lowercase')
        }
      ),
      { numRuns: 1000 }
    )
  })
})
