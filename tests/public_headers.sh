#!/bin/bash
# The installed API's headers (include/wino): each compiles alone, with
# warnings as errors; together they define no macro beyond what the standard
# headers they include define, and include nothing but those and each other
# (no CLN, GiNaC, Vulkan, fmt or JSON header reaches a user).
# usage: public_headers.sh <c++ compiler> <include dir>...
set -euo pipefail
cxx=$1
shift
includes=()
for dir in "$@"; do includes+=(-I "$dir"); done
headers=$(for dir in "$@"; do (cd "$dir" && ls wino/*.hpp); done)
status=0
for h in $headers; do
  printf '#include <%s>\n' "$h" | "$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Werror "${includes[@]}" -x c++ -fsyntax-only - ||
    { echo "FAIL: <$h> does not compile alone"; status=1; }
done
all=$(for h in $headers; do printf '#include <%s>\n' "$h"; done)
std=$(echo "$all" | "$cxx" -std=c++20 "${includes[@]}" -x c++ -M - | tr ' \\' '\n\n' | grep -v '^$' | grep -v '^-:' |
      grep -v '/wino/' || true)
foreign=$(echo "$std" | grep '/cln/\|/ginac/\|/vulkan/\|/fmt/\|/nlohmann/\|/glslang/\|/CLI/\|sqlite3\|/onnx/\|/google/\|cuda' || true)
[ -z "$foreign" ] || { echo "FAIL: the public headers include $foreign"; status=1; }
std_includes=$(echo "$std" | grep '/c++/[0-9]*/[a-z_]*$' | sed 's|.*/||' | sort -u | sed 's/.*/#include <&>/')
macros() { "$cxx" -std=c++20 "${includes[@]}" -x c++ -dM -E - | sort; }
leaked=$(comm -23 <(echo "$all" | macros) <(echo "$std_includes" | macros))
[ -z "$leaked" ] || { echo "FAIL: the public headers define macros: $leaked"; status=1; }
[ $status -eq 0 ] && echo "$(echo "$headers" | wc -w) public headers: self-contained, no macros, only standard headers"
exit $status
