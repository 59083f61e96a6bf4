#!/usr/bin/env bash
# Offline checks of the CDK app; no AWS credentials, no Docker, no network
# beyond the npm and PyPI registries (first run only).
#
#   1. npm ci              (only when node_modules is missing)
#   2. tsc --noEmit        type check
#   3. npm test            vitest: assertions on both stages, IAM wildcard walk, cdk-nag
#   4. cdk synth           both stages -> cdk.out-dev/, cdk.out-prod/ (cdk-nag runs again here)
#   5. .venv-cfn           pinned cfn-lint + checkov (created only when missing or stale)
#   6. cfn-lint            on both templates; any error or warning fails (W3005 ignored)
#   7. checkov             on both cloud assemblies, skips listed in .checkov.yaml
#
# Works from anywhere: bash infra-cdk/scripts/check.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
VENV=.venv-cfn
STAGES=(dev prod)
# cfn-lint checks ignored, with the reason:
#   W3005  "DependsOn already enforced by GetAtt/Ref": CDK adds explicit
#          DependsOn (role policy before function) that duplicate references.
CFN_LINT_IGNORE=W3005

START=$SECONDS
step() { printf '\n==> %s\n' "$*"; }
run() {
  printf '+ %s\n' "$*"
  "$@"
}

# Synthesis must never depend on the caller's AWS setup: placeholders for the
# environment, and no credentials, config or instance metadata to look up.
export CDK_DEFAULT_ACCOUNT=111111111111
export CDK_DEFAULT_REGION=us-west-2
export AWS_REGION=us-west-2
export AWS_DEFAULT_REGION=us-west-2
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
# checkov: no Prisma Cloud / Bridgecrew calls.
export BC_SKIP_MAPPING=TRUE

step "1/7 dependencies"
if [[ ! -d node_modules ]]; then
  run npm ci --no-audit --no-fund
else
  echo "node_modules present (delete it to reinstall from package-lock.json)"
fi

step "2/7 type check"
run npx tsc --noEmit -p .

step "3/7 unit tests (vitest)"
run npm test --silent

step "4/7 synthesize both stages (fixture assets, cdk-nag plugin active)"
for stage in "${STAGES[@]}"; do
  rm -rf "cdk.out-${stage}"
  run npx cdk synth -q \
    -c "stage=${stage}" \
    -c lambdaAssetDir=test/fixtures/lambda \
    -c frontendDist=test/fixtures/frontend \
    -o "cdk.out-${stage}"
done

step "5/7 Python tools (cfn-lint ${CFN_LINT_VERSION}, checkov ${CHECKOV_VERSION})"
PINS="cfn-lint==${CFN_LINT_VERSION} checkov==${CHECKOV_VERSION}"
if [[ ! -x "${VENV}/bin/checkov" || "$(cat "${VENV}/.pins" 2>/dev/null)" != "${PINS}" ]]; then
  rm -rf "${VENV}"
  run python3 -m venv "${VENV}"
  # shellcheck disable=SC2086 # PINS is a list of requirement specifiers
  run "${VENV}/bin/pip" install --quiet --disable-pip-version-check ${PINS}
  echo "${PINS}" >"${VENV}/.pins"
else
  echo "${VENV} up to date (${PINS})"
fi

templates=()
assemblies=()
for stage in "${STAGES[@]}"; do
  templates+=("cdk.out-${stage}/shipcaptaincrew-${stage}.template.json")
  assemblies+=(-d "cdk.out-${stage}")
done

step "6/7 cfn-lint"
run "${VENV}/bin/cfn-lint" --ignore-checks "${CFN_LINT_IGNORE}" -- "${templates[@]}"
echo "cfn-lint: no findings"

step "7/7 checkov"
run "${VENV}/bin/checkov" --config-file .checkov.yaml --skip-download "${assemblies[@]}"

printf '\nAll checks passed in %ds.\n' "$((SECONDS - START))"
