#!/bin/bash
# A wino-gen built with CUDA on a machine without the CUDA libraries: in a
# private mount namespace an empty tmpfs hides the toolkit's library folder,
# and every generator subcommand must still run; `run --backend cuda` must
# say in one line that CUDA is not available and exit 1. Skips (77) where no
# mount namespace can be made.
# usage: cuda_absent.sh <wino-gen> <the CUDA toolkit's library folder>
set -uo pipefail
bin=$1 cuda_lib=$(readlink -f "$2")
unshare -m true 2>/dev/null || { echo "no mount namespace here: skipped"; exit 77; }
exec unshare -m bash -c '
bin=$1 cuda_lib=$2
mount -t tmpfs none "$cuda_lib" || exit 77
[ -z "$(ls -A "$cuda_lib")" ] || { echo "FAIL: $cuda_lib still holds the CUDA libraries"; exit 1; }
out=$(mktemp -d)
trap "rm -rf $out" EXIT
set -e
"$bin" --help >/dev/null
"$bin" matrices --m 4 --r 3 >/dev/null
"$bin" recipe --m 4 --r 3 >/dev/null
"$bin" accuracy --m 4 --r 3 --trials 200 >/dev/null
"$bin" search --alpha 6 --trials 100 --screen-trials 50 --beam 2 --budget-seconds 1 >/dev/null 2>&1
"$bin" emit --backend cuda --m 4 --r 3 --out "$out" >/dev/null
"$bin" run --input-shape 1,4,8,8 --filters 4 --check >/dev/null
set +e
message=$("$bin" run --backend cuda --input-shape 1,4,8,8 --filters 4 2>&1)
status=$?
echo "$message"
[ $status -eq 1 ] || { echo "FAIL: run --backend cuda exited $status, not 1"; exit 1; }
[ "$(echo "$message" | wc -l)" -eq 1 ] && echo "$message" | grep -Eq "^wino-gen: CUDA is not available: lib(cudart|nvrtc|cublas)" ||
  { echo "FAIL: not one line saying CUDA is not available"; exit 1; }
echo "every generator subcommand ran without the CUDA libraries"
' cuda_absent "$bin" "$cuda_lib"
