#!/usr/bin/env bash
# The GPU check: on a machine with an NVIDIA GPU, build worldring with the CUDA backend (Maven profile
# `cuda`: nd4j-cuda-11.6 instead of nd4j-native at the same ND4J version), check that the tests load that
# backend and that a ring of device actors trains exactly like one device on it, then measure `bench gemm`,
# `bench step` and `bench attention` at GPU-sized settings. About 4 minutes once Maven has the dependencies
# (each stage has a time limit; together at most 7).
#
#   ops/bench/gpu-check.sh OUT_DIR
#
# Writes to OUT_DIR: gpu.txt (nvidia-smi), cuda-libraries.txt, one .log per stage, gemm.json, step.json,
# attention.json (each the benchmark's JSON), and summary.json (per stage: status ok |
# failed | timeout | skipped, exit code, seconds). A failed stage does not stop the later ones; the exit
# code is 1 if any stage failed.
#
# Needs: Java 17 and Maven; the CUDA profile's dependencies in the local Maven repository or reachable
# (nd4j-cuda-11.6's native jar alone is about 570 MB; add `-o` to WORLDRING_MVN_ARGS on a machine without
# a network); an NVIDIA driver that runs CUDA 11.6 programs, and the CUDA 11 runtime libraries
# (libcudart.so.11.0, libcublas.so.11, libcusolver.so.11, ...) on the loader's path. ND4J 1.0.0-M2.1 is
# built against CUDA 11.6, which predates Hopper (sm_90): on such a GPU the kernels must be JIT-compiled
# from PTX, and if they cannot be the test stage fails with the driver's message.
#
# Environment: WORLDRING_MVN_ARGS (extra Maven arguments, e.g. "-o"), GPU_STEP_PRESET (small),
# GPU_STEP_SEQ (16384), GPU_STEP_BLOCK (1024), GPU_ATTENTION_SEQ (16384).
set -uo pipefail

out="${1:?usage: ops/bench/gpu-check.sh OUT_DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"

mvn_args=(-B -q -Pcuda ${WORLDRING_MVN_ARGS:-})
preset="${GPU_STEP_PRESET:-small}"
seq="${GPU_STEP_SEQ:-16384}"
block="${GPU_STEP_BLOCK:-1024}"
attention_seq="${GPU_ATTENTION_SEQ:-16384}"
failed=0
summary=()

# stage NAME SECONDS COMMAND...: runs COMMAND under a time limit; stdout to NAME.json for benchmarks
# (NAME.log otherwise), stderr to NAME.log; records the outcome.
stage() {
  local name="$1" limit="$2" status code start seconds
  shift 2
  echo "gpu-check: $name (at most ${limit}s)" >&2
  start=$(date +%s)
  if [[ "$name" == bench-* ]]; then
    timeout --kill-after=10 "$limit" "$@" > "$out/${name#bench-}.json" 2> "$out/$name.log"
  else
    timeout --kill-after=10 "$limit" "$@" > "$out/$name.log" 2>&1
  fi
  code=$?
  seconds=$(( $(date +%s) - start ))
  case $code in
    0) status=ok ;;
    124|137) status=timeout; failed=1 ;;
    *) status=failed; failed=1 ;;
  esac
  echo "gpu-check: $name: $status (exit $code, ${seconds}s)" >&2
  summary+=("{\"stage\": \"$name\", \"status\": \"$status\", \"exit_code\": $code, \"seconds\": $seconds}")
  return $code
}

skip() {
  echo "gpu-check: $1: skipped ($2)" >&2
  summary+=("{\"stage\": \"$1\", \"status\": \"skipped\", \"exit_code\": null, \"seconds\": 0}")
}

write_summary() {
  local joined
  joined=$(IFS=,; echo "${summary[*]}")
  printf '{"stages": [%s], "preset": "%s", "seq": %s, "block": %s, "attention_seq": %s}\n' \
    "$joined" "$preset" "$seq" "$block" "$attention_seq" > "$out/summary.json"
}

# 1. What this machine is.
if ! stage gpu 20 nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv; then
  echo "gpu-check: no NVIDIA GPU answers (nvidia-smi); nothing else to check" >&2
  write_summary
  exit 1
fi
cp "$out/gpu.log" "$out/gpu.txt"
{
  echo "# CUDA 11 runtime libraries nd4j-cuda-11.6 loads (ldconfig, LD_LIBRARY_PATH)"
  ldconfig -p 2>/dev/null | grep -E 'lib(cudart|cublas|cublasLt|cusolver|cusparse)\.so\.11' || echo "none in the ldconfig cache"
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
} > "$out/cuda-libraries.txt"

# 2. The application with the CUDA backend (tests compiled, not run), and the launcher told it is built.
if stage build 120 mvn "${mvn_args[@]}" -DskipTests install; then
  echo cuda > ops/target/worldring.profile
  built=1
else
  built=0
fi

if [ "$built" = 1 ]; then
  # 3. The backend the tests load is CUDA's (BackendTest), and rings of 1, 2, 3, 4 and 8 devices train like
  #    one device on it: loss, gradients and 20 steps of parameters within 1e-4 (RingTrainingTest).
  stage ring-equivalence 150 mvn "${mvn_args[@]}" -pl actors -am test -Dtest='BackendTest,RingTrainingTest' \
    -Dsurefire.failIfNoSpecifiedTests=false

  # 4. Benchmarks through the launcher (its memory settings), each one JSON object.
  export WORLDRING_PROFILE=cuda WORLDRING_HEAP="${WORLDRING_HEAP:-16g}" WORLDRING_OFFHEAP="${WORLDRING_OFFHEAP:-64g}"
  stage bench-gemm 30 ./worldring bench gemm --sizes 1024,2048,4096,8192 --repeats 10
  stage bench-step 50 ./worldring bench step --preset "$preset" --seq "$seq" --devices 1 --block "$block" --repeats 3 \
    --gemm-size 4096
  stage bench-attention 40 ./worldring bench attention --seq "$attention_seq" --block "$block" --heads 32 --kv-heads 8 --head-dim 128 \
    --repeats 3
else
  for s in ring-equivalence bench-gemm bench-step bench-attention; do
    skip "$s" "the build failed, see build.log"
  done
fi

write_summary
cat "$out/summary.json"
exit "$failed"
