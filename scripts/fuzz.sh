#!/usr/bin/env bash
# Runs the fuzz targets (fuzz/, cargo fuzz on the stable toolchain) one after
# another, each from its seeds in fuzz/seeds/<target>/ and the corpus it grew
# before in fuzz/corpus/<target>/ (not committed). A finding stops the run
# and leaves its input in fuzz/artifacts/<target>/.
#
#   bash scripts/fuzz.sh                     every target, 10 million runs each
#   bash scripts/fuzz.sh --runs 1000000      every target, that many runs each
#   bash scripts/fuzz.sh --time 300          every target, 300 seconds each
#   bash scripts/fuzz.sh --smoke             every target, 20 000 runs each (about a minute once built)
#   bash scripts/fuzz.sh proxy jwt           only these targets (with any of the options)
#   bash scripts/fuzz.sh --list              the targets
#
# Installs cargo-fuzz when it is missing (cargo install: a few minutes). No
# nightly toolchain: the targets are built with `--sanitizer none`, and the
# invariants are assertions in src/fuzzing.rs. Each target's final line is
# libFuzzer's stats (`stat::number_of_executed_units`, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

runs=10000000
time_limit=""
targets=()
all=(config_jsonc sealed_state callback_query token_response jwt sealed_record return_url proxy)

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --time) time_limit="$2"; runs=""; shift 2 ;;
    --smoke) runs=20000; time_limit=""; shift ;;
    --list) printf '%s\n' "${all[@]}"; exit 0 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *)
      if [[ " ${all[*]} " != *" $1 "* ]]; then
        echo "fuzz.sh: no target $1 (targets: ${all[*]})" >&2; exit 2
      fi
      targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

say() { printf '\033[1m[fuzz]\033[0m %s\n' "$*"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (cargo install cargo-fuzz: a few minutes)"
  cargo install cargo-fuzz --locked
fi

limits=(-print_final_stats=1 -max_len=8192)
if [ -n "$time_limit" ]; then limits+=("-max_total_time=$time_limit"); fi
if [ -n "$runs" ]; then limits+=("-runs=$runs"); fi

cd fuzz
say "building the targets (release, debug assertions on)"
cargo fuzz build --sanitizer none --debug-assertions

mkdir -p logs
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  say "$target: ${runs:+$runs runs}${time_limit:+$time_limit s} (log: fuzz/logs/$target.log)"
  status=0
  # Sealed states are at most 4 KB of base64 (longer ones are refused before
  # any decoding): inputs past 1 KB only make each run slower.
  max_len=()
  [ "$target" != sealed_state ] || max_len=(-max_len=1024)
  cargo fuzz run --sanitizer none --debug-assertions "$target" \
    "corpus/$target" "seeds/$target" -- "${limits[@]}" "${max_len[@]}" > "logs/$target.log" 2>&1 || status=$?
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "logs/$target.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "logs/$target.log"
    say "$target: a finding (exit $status); the input is in fuzz/artifacts/$target/"
    say "replay it: cd fuzz && cargo fuzz run --sanitizer none --debug-assertions $target artifacts/$target/<file>"
    exit "$status"
  fi
done
say "no finding in ${targets[*]}"
