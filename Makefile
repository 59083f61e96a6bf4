# shipcaptaincrew: `make dev` runs everything locally; `make test` runs every check of the repo.
# Both install what they need (a venv for moto, npm packages) on first use.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
STAGE ?= dev
PORT ?= 3000
# cargo-lambda and zig come from PyPI into this venv; never a prerequisite of dev or test.
LAMBDA_VENV := .venv-lambda

.PHONY: dev test fmt-check clippy domain-deps rust-test deployed-e2e cdk-check frontend-deps frontend-build \
        frontend-check frontend-e2e bench build-lambdas synth deploy provision clean help

help:
	@echo "make dev            serve the web app, API and sign-in on http://localhost:$(PORT)"
	@echo "make test           fmt, clippy, all tests (Rust against moto, CDK)"
	@echo "make build-lambdas  cross-build the four Lambdas for arm64 into target/lambda/"
	@echo "make synth STAGE=dev|prod   synthesize the CDK stack"
	@echo "make deploy STAGE=dev|prod  build, deploy, upload the web app, invalidate, provision, print the URL"
	@echo "make provision      make the local store (.data) match config/portfolio.toml"
	@echo "make provision STAGE=dev|prod   the same on the stage's DynamoDB table (PRUNE=1 also removes)"

dev: frontend-build
	cargo run -p local -- --port $(PORT) --data .data --static frontend/dist

test: fmt-check clippy domain-deps rust-test deployed-e2e frontend-check frontend-e2e cdk-check
	@echo "make test: all checks passed"

# npm ci only when package-lock.json is newer than the installed tree.
frontend-deps:
	cd frontend && { test node_modules/.package-lock.json -nt package-lock.json || npm ci --no-audit --no-fund; }

frontend-build: frontend-deps
	cd frontend && npm run build

# Type check, unit tests (sync queue, time math, screens), and the first-load size budget.
frontend-check: frontend-deps
	cd frontend && npm run check

# The web app in headless Chromium against the local server (started and stopped by the script).
# Without Chromium it prints SKIPPED locally; under CI=true it fails.
frontend-e2e: frontend-build
	cargo build -p local
	cd frontend && npm run e2e

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

# The domain must build without AWS, HTTP, Lambda or an async runtime.
domain-deps:
	bash tests/domain-deps.sh

# Every Rust test; the AWS adapters talk to a moto server started (and stopped) around the run.
rust-test:
	tests/with-moto.sh cargo test --workspace --no-fail-fast

# The deployed shape end to end: the four Lambda binaries, configured from the synthesized dev
# stack, under a local Lambda Runtime API against moto (tests/deployed/README.md).
deployed-e2e:
	cargo build -p api -p magic-link -p nudge -p report -p operator
	cd infra-cdk && { test -d node_modules || npm ci --no-audit --no-fund; }
	tests/with-moto.sh .venv-moto/bin/python tests/deployed/run.py

cdk-check:
	bash infra-cdk/scripts/check.sh

build-lambdas:
	@if [ ! -x $(LAMBDA_VENV)/bin/cargo-lambda ]; then \
	  python3 -m venv $(LAMBDA_VENV) && $(LAMBDA_VENV)/bin/pip install --quiet cargo-lambda; fi
	rustup target add aarch64-unknown-linux-gnu
	PATH="$(CURDIR)/$(LAMBDA_VENV)/bin:$$PATH" cargo lambda build --release --arm64 \
	  --bin api --bin magic-link --bin nudge --bin report --lambda-dir target/lambda

# Packages target/lambda/<fn>/bootstrap (make build-lambdas) and frontend/dist (built here).
synth: frontend-build
	cd infra-cdk && npm ci --no-audit --no-fund && npx cdk synth -c stage=$(STAGE)

deploy: build-lambdas frontend-build
	bash infra-cdk/scripts/deploy.sh $(STAGE)

# Figures that are goals, not tests: the web app's first-load size against its 60 KB budget.
# The cold-start bench: the four release Lambdas and a bare lambda_runtime function, 15 processes
# each under the loopback Runtime API against moto (bench/coldstart.py). The warm path: the local
# server under wrk, event reads and ticks (bench/load.py). Prints figures.
bench: frontend-build
	node bench/frontend-size.mjs
	cargo build --release -p api -p magic-link -p nudge -p report -p operator -p bare-lambda -p local
	cd infra-cdk && { test -d node_modules || npm ci --no-audit --no-fund; }
	tests/with-moto.sh .venv-moto/bin/python bench/coldstart.py
	cargo bench -p api --bench router
	python3 bench/load.py

# Orgs and first people from config/portfolio.toml: on the local embedded store unless a STAGE is
# named on the command line (or in the environment), then on that stage's table (from the outputs
# `make deploy` wrote). Prints the plan, applies it; a second run says there is nothing to change.
ifeq ($(filter command line environment,$(origin STAGE)),)
PROVISION_TARGET := --data .data
else
PROVISION_TARGET := --stage $(STAGE)
endif
provision:
	cargo run --quiet -p operator -- apply $(PROVISION_TARGET) $(if $(PRUNE),--prune,)

clean:
	cargo clean
	rm -rf .data infra-cdk/cdk.out*
