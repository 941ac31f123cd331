#!/usr/bin/env bash
# Chaos test of a 3-node worldring cluster on 127.0.0.1: kills (SIGKILL) and restarts random nodes for a
# bounded time, then verifies the run's ledger and prints JSON with `recoveries`, `median recovery seconds`,
# `lost steps` and `duplicate samples`. Traffic stays on loopback.
#
#   ops/scripts/chaos.sh [--seconds 60] [--kill-every 15] [--down 2] [--dir DIR] [--base-port 25700] [-- TRAINING-FLAGS]
#
# Exit code 0 when nothing was lost or duplicated and every kill was recovered from.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$root/worldring" chaos --launcher "$root/worldring" "$@"
