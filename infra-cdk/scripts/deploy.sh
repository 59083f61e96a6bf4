#!/usr/bin/env bash
# Deploy one stage to AWS:  bash infra-cdk/scripts/deploy.sh <dev|prod>
#
# Needs, from the repo root:
#   target/lambda/<fn>/bootstrap   for api, magic-link, nudge, report (make build-lambdas)
#   frontend/dist/                 the built web app
#   AWS credentials for the target account, and `cdk bootstrap` done once
#   for that account/region.
#   The AWS CLI (to pin the origin secret's current version; without it a
#   warning, and CloudFront keeps the value it has).
#
# The stack's BucketDeployments upload frontend/dist to the site bucket and
# invalidate the CloudFront cache as part of `cdk deploy`, so this script has
# nothing to upload itself.
set -euo pipefail

die() {
  printf 'deploy.sh: %s\n' "$*" >&2
  exit 1
}

stage=${1:-}
case "${stage}" in
  dev | prod) ;;
  *) die "usage: $0 <dev|prod>" ;;
esac

INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(dirname "${INFRA_DIR}")
STACK="shipcaptaincrew-${stage}"
OUTPUTS="cdk-outputs-${stage}.json"

# ---- Build outputs --------------------------------------------------------
missing=()
for fn in api magic-link nudge report; do
  [[ -f "${REPO_ROOT}/target/lambda/${fn}/bootstrap" ]] || missing+=("target/lambda/${fn}/bootstrap")
done
if ((${#missing[@]} > 0)); then
  die "missing Lambda binaries: ${missing[*]} (run \`make build-lambdas\` in ${REPO_ROOT})"
fi
[[ -f "${REPO_ROOT}/frontend/dist/index.html" ]] ||
  die "missing frontend/dist/index.html (build the web app first)"

# ---- AWS credentials (presence only; the CDK CLI resolves them) ------------
if [[ -z "${AWS_ACCESS_KEY_ID:-}" && -z "${AWS_PROFILE:-}" && -z "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" &&
  -z "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" && -z "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" &&
  ! -f "${HOME}/.aws/credentials" && ! -f "${HOME}/.aws/config" ]]; then
  die "no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or configure ~/.aws"
fi

cd "${INFRA_DIR}"
if [[ ! -d node_modules ]]; then
  echo "+ npm ci"
  npm ci --no-audit --no-fund
fi

# ---- Origin secret: CloudFront sends its current version -------------------
# CloudFormation resolves the distribution's reference to the origin secret only when the
# reference itself changes, so it names the secret's AWSCURRENT version: after a rotation
# (docs/operations.md) this deploy makes CloudFront send the new value. ORIGIN_SECRET_VERSION
# overrides the lookup; on the first deploy there is no secret yet and nothing is pinned.
origin_secret="shipcaptaincrew/${stage}/origin-verify"
origin_version=${ORIGIN_SECRET_VERSION:-}
if [[ -z "${origin_version}" ]]; then
  if ! command -v aws >/dev/null 2>&1; then
    echo "deploy.sh: warning: no AWS CLI to look up ${origin_secret}'s current version; CloudFront keeps the value it has (set ORIGIN_SECRET_VERSION after a rotation)" >&2
  elif described=$(aws secretsmanager describe-secret --secret-id "${origin_secret}" --output json 2>&1); then
    origin_version=$(node -e '
      const stages = JSON.parse(process.argv[1]).VersionIdsToStages || {};
      const id = Object.keys(stages).find((v) => stages[v].includes("AWSCURRENT"));
      if (!id) process.exit(1);
      console.log(id);
    ' "${described}") || die "${origin_secret} has no AWSCURRENT version"
  elif [[ "${described}" == *ResourceNotFoundException* ]]; then
    echo "${origin_secret} does not exist yet (first deploy): the stack generates it"
  else
    die "cannot describe ${origin_secret}: ${described}"
  fi
fi
context=(-c "stage=${stage}")
if [[ -n "${origin_version}" ]]; then
  echo "origin secret: CloudFront sends version ${origin_version} of ${origin_secret}"
  context+=(-c "originSecretVersion=${origin_version}")
fi

echo "+ npx cdk deploy ${STACK} ${context[*]} --require-approval never --outputs-file ${OUTPUTS}"
npx cdk deploy "${STACK}" "${context[@]}" --require-approval never --outputs-file "${OUTPUTS}"

app_url=$(node -e '
  const [file, stack] = process.argv.slice(1);
  const out = require(file)[stack] || {};
  if (!out.AppUrl) process.exit(1);
  console.log(out.AppUrl);
' "${INFRA_DIR}/${OUTPUTS}" "${STACK}") || die "no AppUrl in ${OUTPUTS}"

# ---- Provision: the orgs and first people of config/portfolio.toml ----------
# The operator reads the table name from ${OUTPUTS}; it prints the plan and applies it (idempotent:
# a re-deploy prints "No changes").
echo "+ operator apply --stage ${stage}   (config/portfolio.toml)"
(cd "${REPO_ROOT}" && cargo run --quiet -p operator -- apply --stage "${stage}") ||
  die "provisioning failed; fix what it printed and run \`make provision STAGE=${stage}\` (it continues where it stopped)"

admins=$(python3 -c '
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    orgs = tomllib.load(f).get("org", [])
seen = []
for org in orgs:
    for m in org.get("member", []):
        if m.get("role") == "admin" and m["email"] not in seen:
            seen.append(m["email"])
print(" ".join(seen))
' "${REPO_ROOT}/config/portfolio.toml")

echo
echo "Deployed ${STACK}."
echo "AppUrl: ${app_url}"
echo
echo "First sign-in: open ${app_url}, enter one of the first admins' addresses from"
echo "config/portfolio.toml (${admins}), and open the link in the email."
echo "While SES is in its sandbox it only mails verified addresses (docs/operations.md)."
