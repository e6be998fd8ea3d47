/**
 * The login step a workflow needs for a registry, in the words of the action users already use
 * for it (see README "Credentials"). For the CLI the same advice applies as `docker login`.
 */
export function loginHint(registry: string): string {
  if (registry === 'docker.io') {
    return 'add `docker/login-action` with `username: ${{ vars.DOCKERHUB_USERNAME }}` and `password: ${{ secrets.DOCKERHUB_TOKEN }}` before pullgate (CLI: `docker login`)'
  }
  if (registry === 'ghcr.io') {
    return 'give the job `permissions: packages: read` (pullgate then uses `github-token`), or add `docker/login-action` with `registry: ghcr.io` and a token with read:packages (CLI: `docker login ghcr.io`)'
  }
  if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(registry)) {
    return 'add `aws-actions/configure-aws-credentials` and `aws-actions/amazon-ecr-login` before pullgate (CLI: `aws ecr get-login-password | docker login --username AWS --password-stdin ' + registry + '`)'
  }
  if (/(^|\.)gcr\.io$|-docker\.pkg\.dev$/.test(registry)) {
    return `add \`google-github-actions/auth\` and run \`gcloud auth configure-docker ${registry}\` before pullgate`
  }
  if (/\.azurecr\.io$/.test(registry)) {
    return `add \`azure/docker-login\` (or \`docker/login-action\` with \`registry: ${registry}\`) before pullgate (CLI: \`az acr login --name ${registry.split('.')[0]}\`)`
  }
  return `add \`docker/login-action\` with \`registry: ${registry}\` before pullgate (CLI: \`docker login ${registry}\`), or pass a Docker config with the \`docker-config\` input`
}
