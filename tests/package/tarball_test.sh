#!/bin/bash
# The package tarball (scripts/package) from a user's side: unpacked into a
# random folder, every binary and module finds its libraries there or in what
# a GPU machine brings, and matrices, emit --backend cuda and --backend glsl and
# find_package(WinoGen) work (scripts/check-package). Then the same check must
# fail on a copy with one bundled library left out, naming it. (The bare root
# of scripts/check-fresh runs the check where no -dev package is installed.)
# usage: tarball_test.sh <source dir> <build dir>
set -euo pipefail
source=$1 build=$2
command -v patchelf >/dev/null || { echo "no patchelf (scripts/setup installs it)"; exit 77; }
work=$(mktemp -d /tmp/wino-tarball.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$source/scripts/package" --build "$build" --out "$work" >"$work/package.log" 2>&1 || { cat "$work/package.log"; exit 1; }
tarball=$(ls "$work"/wino-gen-*-linux-x86_64.tar.gz)
unpacked=$work/$RANDOM-$RANDOM
mkdir "$unpacked"
tar -C "$unpacked" -xzf "$tarball"
package=$(ls -d "$unpacked"/wino-gen-*)
grep -q "bundled" "$work/package.log" && grep -o "bundled [0-9]* libraries: .*" "$work/package.log"
for lib in libginac libcln libfmt libsqlite3; do
  ls "$package/lib/$lib".so.* >/dev/null 2>&1 || { echo "FAIL: the package does not carry $lib"; exit 1; }
done
for file in "$package"/bin/wino-gen "$package"/lib/libwinogen_runtime.so; do
  runpath=$(readelf -d "$file" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
  [[ ":${runpath//;/:}:" == *':$ORIGIN/../lib:'* || ":$runpath:" == *':$ORIGIN:'* ]] ||
    { echo "FAIL: $file has RUNPATH '$runpath'"; exit 1; }
done
"$source/scripts/check-package" "$package"

# One bundled library left out: the check must fail and name it.
broken=$work/broken
cp -a "$package" "$broken"
rm "$broken"/lib/libcln.so.*
if "$source/scripts/check-package" "$broken" >"$work/broken.log" 2>&1; then
  cat "$work/broken.log"
  echo "FAIL: check-package passed a package without libcln"
  exit 1
fi
grep -q "libcln" "$work/broken.log" || { cat "$work/broken.log"; echo "FAIL: the failure does not name libcln"; exit 1; }
echo "tarball test passed"
