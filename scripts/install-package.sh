#!/usr/bin/env bash
# Installs a packed cql-migrate (the tarball `npm pack` makes) into PREFIX with its production dependencies
# only: PREFIX/bin/migrate. The container image is built with this script, and test/e2e/package.test.ts runs
# it on the tarball of the work tree, so the image is installed the tested way.
#
#   scripts/install-package.sh TARBALL PREFIX
set -euo pipefail
tarball=${1:?give the tarball npm pack made}
prefix=${2:?give the folder to install into}
mkdir -p "$prefix"
npm install --global --prefix "$prefix" --omit=dev --no-audit --no-fund --loglevel=error "$tarball"
"$prefix/bin/migrate" --version >/dev/null
