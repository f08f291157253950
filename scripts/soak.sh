#!/usr/bin/env bash
# The generated suites of `npm test` (test/property/), run for longer: by default about ten times the
# histories and fault schedules (a few minutes to a quarter of an hour on 2 cores). Each suite prints how
# many sequences, steps, kills, restores and faults it ran. Override any count from the environment:
#   HISTORY_RUNS=5000 npm run test:soak
set -euo pipefail
cd "$(dirname "$0")/.."
export HISTORY_RUNS=${HISTORY_RUNS:-1500}
export HISTORY_KILL9_RUNS=${HISTORY_KILL9_RUNS:-150}
export HISTORY_CEPH_RUNS=${HISTORY_CEPH_RUNS:-30}
export FAULT_RUNS=${FAULT_RUNS:-400}
export FAULT_CEPH_RUNS=${FAULT_CEPH_RUNS:-40}
started=$(date +%s)
npx mocha --no-config --require tsx/cjs --async-only --timeout 0 --reporter spec 'test/property/*.spec.ts'
echo "soak: $(( $(date +%s) - started )) s"
