#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (with AddressSanitizer) and runs each
# one; exits non-zero if any of them crashes (a trap, a sanitizer report, a
# leak, a timeout or running out of memory all count).
#
#   scripts/fuzz.sh                   the local pass: release build, 120 s per target
#   scripts/fuzz.sh --ci              the short pass CI runs: debug build, 15 s per target
#                                     (90 s of fuzzing; a debug build costs about half the
#                                     CPU time of a release one, and runs 2-4x fewer inputs)
#   scripts/fuzz.sh --seconds 600     any time per target
#   scripts/fuzz.sh --runs 100000     a fixed number of inputs per target instead
#   scripts/fuzz.sh --config debug    choose the build (default release; --ci implies debug)
#   scripts/fuzz.sh --ci FuzzWordPiece FuzzRedisReplies    only these targets
#
# Environment: FUZZ_JOBS_DIR (default Fuzz/.build/fuzz) holds each target's
# growing corpus (kept between runs, so later passes start further along),
# its log and any crash-*/leak-*/timeout-*/oom-* input, which reproduces with
#   Fuzz/.build/<config>/<Target> <that file>
# Seeds come from Fuzz/seeds.py; the tokenizer target uses the real MiniLM
# vocabulary from scripts/model.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=120
runs=-1
config=""
targets=()
while (($#)); do
    case "$1" in
        --ci) seconds=15; config="${config:-debug}" ;;
        --seconds) seconds="$2"; shift ;;
        --runs) runs="$2"; seconds=0; shift ;;
        --config) config="$2"; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        Fuzz*) targets+=("$1") ;;
        *) echo "fuzz.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
config="${config:-release}"
all=(FuzzPayloadFrame FuzzCacheEntry FuzzChatCodable FuzzServerSentEvents FuzzWordPiece FuzzRedisReplies)
((${#targets[@]})) || targets=("${all[@]}")

scripts/bootstrap.sh
# The fuzzer runtime ships with the Swift toolchain (clang's compiler-rt).
toolchain="$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")"
if ! compgen -G "$toolchain/lib/clang/*/lib/linux/libclang_rt.fuzzer-$(uname -m).a" >/dev/null; then
    echo "fuzz.sh: this Swift toolchain has no libFuzzer runtime (libclang_rt.fuzzer); fuzzing needs a swift.org Linux toolchain" >&2
    exit 1
fi
vocabulary="$(scripts/model.sh)"

started=$SECONDS
# Swift 5.4 tools mode and -parse-as-library: see Fuzz/Package.swift.
# (gold's "Cannot export local symbol '__asan_extra_spill_area'" comes from the
# toolchain's ASan runtime, once per executable, and says nothing about our code.)
set +e
swift build -c "$config" --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    2>&1 | grep -v "Cannot export local symbol '__asan_extra_spill_area'"
build_status=${PIPESTATUS[0]}
set -e
((build_status == 0)) || { echo "fuzz.sh: building the fuzz targets failed" >&2; exit 1; }
bin="Fuzz/.build/$config"
echo "fuzz.sh: $config build took $((SECONDS - started)) s"

work="${FUZZ_JOBS_DIR:-Fuzz/.build/fuzz}"
mkdir -p "$work/seeds"
python3 Fuzz/seeds.py "$work/seeds"

# The Swift runtime's own crash handler would otherwise print its backtrace and
# hide libFuzzer's report; null from a failed huge allocation (hiredis sizes an
# array from the reply's element count) is an error the code handles, not a crash.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="allocator_may_return_null=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LLMCACHE_MINILM_PATH="$vocabulary"

failed=()
printf '%-22s %12s %8s  %s\n' target inputs seconds result
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target/"
    log="$work/$target.log"
    rm -rf "$artifacts"   # only this run's findings (each is also in the log)
    mkdir -p "$corpus" "$artifacts"
    asan="$ASAN_OPTIONS"
    # hiredis 0.14 callocs an array reply's element table as soon as it reads
    # `*<count>`, so a few bytes can ask for gigabytes; ASan would then spend
    # seconds poisoning their shadow. Above 1 GiB, calloc fails here instead,
    # which hiredis reports as an out-of-memory error (Redis servers are
    # trusted, and newer hiredis versions cap the count).
    [ "$target" = FuzzRedisReplies ] && asan="$asan:max_allocation_size_mb=1024"
    began=$SECONDS
    status=0
    ASAN_OPTIONS="$asan" "$bin/$target" "$corpus" "$work/seeds/$target" \
        -runs="$runs" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1 || status=$?
    inputs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    # slow-unit-* files are only reports (over 10 s is a timeout-*, which counts).
    found="$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | head -1)"
    if ((status != 0)) || [ -n "$found" ]; then
        result="CRASH (exit $status) ${found:-see $log}"
        failed+=("$target")
    else
        result="no crash"
    fi
    printf '%-22s %12s %8s  %s\n' "$target" "${inputs:-?}" "$((SECONDS - began))" "$result"
done

if ((${#failed[@]})); then
    for target in "${failed[@]}"; do
        echo "---- $target: end of $work/$target.log" >&2
        tail -40 "$work/$target.log" >&2
    done
    echo "fuzz.sh: ${#failed[@]} target(s) crashed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: ${#targets[@]} target(s), no crash, $((SECONDS - started)) s in all"
