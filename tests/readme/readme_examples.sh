#!/bin/bash
# The README's examples, run as they are written: the code block after each
# "<!-- example: NAME -->" line. The shell examples (cli, tune) run in an
# empty folder with wino-gen on PATH and a tuning database of their own; the
# project (cmake: its blocks are CMakeLists.txt and main.cpp) is configured
# against the installed package, built and run, and must print what the
# README says it prints.
# usage: readme_examples.sh <README.md> <wino-gen's bin folder> cli|tune|cmake [install prefix]
set -euo pipefail
readme=$(readlink -f "$1") bin=$(readlink -f "$2") example=$3 prefix=${4:-}
work=$(mktemp -d /tmp/wino-readme.XXXXXX)
trap 'rm -rf "$work"' EXIT

block() {  # the code block after the marker line "<!-- example: $1 -->"
  awk -v marker="<!-- example: $1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$readme"
}
run_shell() {
  local code
  code=$(block "$1")
  [ -n "$code" ] || { echo "FAIL: the README has no example '$1'" >&2; exit 1; }
  echo "$code"
  local status=0
  (cd "$work" && PATH="$bin:$PATH" WINO_TUNING_DB="$work/tuning.db" bash -euo pipefail -c "$code") >"$work/out.txt" 2>&1 ||
    status=$?
  if [ $status -ne 0 ]; then
    cat "$work/out.txt"
    echo "FAIL: the '$1' example exits $status" >&2
    exit 1
  fi
  cat "$work/out.txt"
}

case "$example" in
  cli)
    run_shell cli
    [ -n "$(ls "$work/kernels"/*.cu 2>/dev/null)" ] && [ -n "$(ls "$work/kernels"/*.comp 2>/dev/null)" ] ||
      { echo "FAIL: no CUDA and GLSL kernel files in kernels/" >&2; exit 1; }
    ;;
  tune)
    run_shell tune
    grep -q "tuned (exact match, error budget" "$work/out.txt" || { echo "FAIL: run did not take the tuned kernels" >&2; exit 1; }
    ;;
  cmake)
    mkdir "$work/engine"
    for file in CMakeLists.txt main.cpp; do
      block "cmake $file" >"$work/engine/$file"
      [ -s "$work/engine/$file" ] || { echo "FAIL: the README has no $file of the cmake example" >&2; exit 1; }
    done
    expected=$(grep -o 'It prints `[^`]*`' "$readme" | sed 's/It prints `\(.*\)`/\1/')
    cmake -S "$work/engine" -B "$work/engine/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
    cmake --build "$work/engine/build" >/dev/null
    printed=$("$work/engine/build/engine")
    echo "$printed"
    [ "$printed" = "$expected" ] || { echo "FAIL: the example prints '$printed', the README says '$expected'" >&2; exit 1; }
    ;;
  *) echo "usage: readme_examples.sh <README.md> <bin> cli|tune|cmake [prefix]" >&2; exit 2 ;;
esac
echo "the README's $example example runs as written"
