#!/bin/bash
# The installed package from a user's side: no installed file names the source
# or build tree; with both hidden (a private mount namespace puts an empty
# tmpfs over the source tree, where it can), the consumer example is
# configured against the prefix alone, built (its kernels generated), and run
# on the Vulkan device; then its config list is edited and only the new
# configs' kernels are generated, and an upgraded wino-gen regenerates all;
# last, a layer list tuned here builds in each layer's tuned set.
# usage: package_test.sh <prefix> <source dir> <build dir>
set -euo pipefail
prefix=$1 source=$2 build=$3

if grep -rlF -e "$source" -e "$build" "$prefix"; then
  echo "FAIL: the installed files above name the source or build tree" >&2
  exit 1
fi
work=$(mktemp -d /tmp/wino-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$source/examples/consumer" "$work/consumer"
cp "$source/tests/data/resnet_block.onnx" "$work/model.onnx"  # the consumer's MODEL, outside the hidden tree

hidden() {  # runs "$@" with the source (and build) tree out of reach, where a mount namespace can be made
  if unshare -m true 2>/dev/null; then
    unshare -m sh -c 'mount -t tmpfs none "$0" && exec "$@"' "$source" "$@"
  else
    "$@"
  fi
}
unshare -m true 2>/dev/null || echo "note: no mount namespace here; the trees stay visible, the grep above is the check"

generated() {  # the units a build generated, from its log
  grep -o 'wino-gen: kernels [a-z0-9_]* for consumer' "$1" | awk '{print $3}' | sort | tr '\n' ' '
}

# The consumer compiles through ccache where it is installed, as a user's build
# may: the units a regeneration writes again as they were cost no compile.
launcher=()
if command -v ccache >/dev/null; then launcher=("-DCMAKE_CXX_COMPILER_LAUNCHER=env;CCACHE_BASEDIR=$work;ccache"); fi
cd "$work/consumer"
hidden cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" -DCONSUMER_CONFIGS="F4_3;F2_5" -DCONSUMER_MODEL="$work/model.onnx" \
  "${launcher[@]}" >"$work/configure.log"
hidden cmake --build build >"$work/build1.log"
first=$(generated "$work/build1.log")
[ "$first" = "consumer_backward_f4_3_fused consumer_backward_f4_3_nonfused consumer_backward_f4x2_3x5_fused consumer_backward_f4x2_3x5_nonfused consumer_cuda_f4_3_nonfused consumer_f2_5_fused consumer_f2_5_nonfused consumer_f4_3_fused consumer_f4_3_nonfused consumer_filter_gradient_f4_3_nonfused consumer_filter_gradient_f6_3_nonfused consumer_fp16_f4_3_nonfused consumer_int8_f2_3_nonfused consumer_model_model consumer_rect_f1x4_1x7_nonfused consumer_rect_f4x2_3x5_nonfused " ] ||
  { echo "FAIL: the first build generated '$first'" >&2; exit 1; }
hidden build/consumer | tee "$work/run1.log"
grep -q "^wino_f4_3_nonfused_u2_.* (CUDA) not run" "$work/run1.log" || { echo "FAIL: UNROLL 2 did not reach the CUDA set" >&2; exit 1; }
f4_3_unit=build/consumer_kernels/consumer_f4_3_nonfused/consumer_f4_3_nonfused.cpp
before=$(stat -c %Y.%N "$f4_3_unit" | cut -d' ' -f1)

hidden cmake build -DCONSUMER_CONFIGS="F4_3;F6_3" >>"$work/configure.log"
hidden cmake --build build >"$work/build2.log"
second=$(generated "$work/build2.log")
[ "$second" = "consumer_f6_3_fused consumer_f6_3_nonfused " ] ||
  { echo "FAIL: after adding F6_3 the build generated '$second', not just F6_3's kernels" >&2; exit 1; }
[ "$(stat -c %Y.%N "$f4_3_unit" | cut -d' ' -f1)" = "$before" ] || { echo "FAIL: F4_3's unit was rewritten" >&2; exit 1; }
hidden build/consumer | tee "$work/run2.log"
grep -q "F(6x6,3x3)" "$work/run2.log" && ! grep -q "F(2x2,5x5)" "$work/run2.log" ||
  { echo "FAIL: the registry does not follow the config list" >&2; exit 1; }

touch "$prefix/bin/wino-gen"  # an upgraded wino-gen
hidden cmake --build build >"$work/build3.log"
third=$(generated "$work/build3.log")
[ "$third" = "consumer_backward_f4_3_fused consumer_backward_f4_3_nonfused consumer_backward_f4x2_3x5_fused consumer_backward_f4x2_3x5_nonfused consumer_cuda_f4_3_nonfused consumer_f4_3_fused consumer_f4_3_nonfused consumer_f6_3_fused consumer_f6_3_nonfused consumer_filter_gradient_f4_3_nonfused consumer_filter_gradient_f6_3_nonfused consumer_fp16_f4_3_nonfused consumer_int8_f2_3_nonfused consumer_model_model consumer_rect_f1x4_1x7_nonfused consumer_rect_f4x2_3x5_nonfused " ] ||
  { echo "FAIL: after wino-gen changed the build generated '$third'" >&2; exit 1; }
# A re-exported model: only its unit is generated again, and the build says which nodes it skips.
touch "$work/model.onnx"
hidden cmake --build build >"$work/build3m.log"
[ "$(generated "$work/build3m.log")" = "consumer_model_model " ] ||
  { echo "FAIL: after the model changed the build generated '$(generated "$work/build3m.log")'" >&2; exit 1; }
grep -q "skipped /down/Conv: stride 2x2" "$work/build3m.log" || { echo "FAIL: the build did not report the skipped nodes" >&2; exit 1; }
# A layer list tuned on this device: each layer's registry entry is the set
# `wino-gen run` picks from the same database.
printf 'small 1 8 12 12 8 3 1\nwide 1 4 10 10 4 5 2\n' >"$work/layers.txt"
hidden "$prefix/bin/wino-gen" tune --layers "$work/layers.txt" --db "$work/tune.db" --budget-seconds 2 >"$work/tune.log"
hidden cmake build -DCONSUMER_LAYERS="$work/layers.txt" -DCONSUMER_TUNING_DB="$work/tune.db" >>"$work/configure.log"
hidden cmake --build build >"$work/build4.log"
hidden build/consumer | tee "$work/run4.log"
while read -r name n c h w k r pad; do
  expected=$(hidden "$prefix/bin/wino-gen" run --db "$work/tune.db" --input-shape "$n,$c,$h,$w" --filters "$k" --r "$r" \
               --pad "$pad" --format json | grep -o '"kernel_set": "[^"]*"' | cut -d'"' -f4)
  grep -q "^layer ${n}x${c}x${h}x${w} -> $k, ${r}x${r}, pad $pad,$pad,$pad,$pad: $expected F(.* ok$" "$work/run4.log" ||
    { echo "FAIL: layer $name did not run its tuned set $expected" >&2; exit 1; }
done <"$work/layers.txt"
echo "package test passed"
