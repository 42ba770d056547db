#!/usr/bin/env bash
# npm run demo: the main job on the local clusters.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/cassandra.sh start source target
node examples/sample-data.mjs 127.0.0.1:19042 1
