#!/usr/bin/env bash
# The nightly reconciliation, with the exit codes of `migrate` (README: Outputs and exit codes) turned into
# what an operator wants from cron: silence when all is well or when last night's run is still going,
# an alert otherwise. Called by the crontab line and the systemd service in this folder.
set -uo pipefail
cd "$(dirname "$0")"
npx --no-install migrate validate --config ../nightly-reconcile.yaml --autocorrect --log-format json --quiet \
  --metrics-file /var/lib/node_exporter/textfile/cql_migrate.prom >>reconcile.log 2>&1
code=$?
case $code in
  0) exit 0 ;;                                                              # clean (target-newer rows aside)
  1) echo "cql-migrate: differences remain after autocorrect, see reconcile.log" >&2; exit 1 ;;
  2) echo "cql-migrate: bad input or configuration, see reconcile.log" >&2; exit 2 ;;
  3) exit 0 ;;                                                              # the previous run still holds the lock
  4) echo "cql-migrate: interrupted; the next run resumes it" >&2; exit 0 ;;
  5) echo "cql-migrate: ranges failed (or rows were refused), see reconcile.log; rerun with --resume" >&2; exit 5 ;;
  6) echo "cql-migrate: a cluster could not be reached or refused the credentials, see reconcile.log" >&2; exit 6 ;;
  7) echo "cql-migrate: internal error (a defect), the stack is in the state folder's errors.log" >&2; exit 7 ;;
  *) exit "$code" ;;
esac
