#!/usr/bin/env bash
# Fails if the domain crate depends (at any depth, normal dependencies) on AWS, Lambda, HTTP
# or an async runtime: it must compute, not do I/O.
set -euo pipefail
forbidden='^(aws-|aws_|lambda_|lambda-|axum|hyper|tokio|tower|reqwest|http)'
deps=$(cargo tree -p domain -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)
bad=$(grep -E "$forbidden" <<<"$deps" || true)
if [ -n "$bad" ]; then
  echo "domain depends on crates it must not know:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "domain-deps: $(wc -l <<<"$deps") crates, none of aws-*, lambda_*, axum, hyper, tokio, tower, http"
