// The meta-code the kernel kinds share (EuroSys'20 §3.2): template filling and
// the writers of unrolled transform loops, patch loads, block stores and
// 4-wide values, in the neutral kernel dialect.
#pragma once

#include "recipes/recipe_format.hpp"

#include <wino/shape.hpp>

#include <functional>
#include <map>
#include <string>
#include <utility>

namespace wino {

// The text of kernels/<name>.tmpl or prelude.<name>, embedded at build time;
// throws std::logic_error for a name without a file.
const char* template_text(const std::string& name);

// Replaces every %(name); throws std::logic_error naming a placeholder without a
// value or a value without a placeholder.
std::string fill_template(const std::string& text, const std::map<std::string, std::string>& values);

// The divisor of n closest to the requested unroll factor; n (the full loop)
// for 0 or when n has no divisor but 1 and itself.
int effective_unroll(int n, int requested);

using Index = std::function<std::string(int, const std::string&)>;  // (recipe row, loop index) → expression

// Applies a 1D recipe once per loop iteration j < n, unrolled by `unroll`; each
// copy is its own scope so the recipe's value names do not collide.
std::string recipe_loop(const Recipe& recipe, int n, int unroll, const Index& input, const Index& output,
                        const Dialect& dialect, const std::string& indent);

// The 2D transform of `in` (row-major, along_h's inputs rows × along_w's
// inputs columns) into `out`: along_h over each column into `mid`, then
// along_w over each of mid's rows. Returns (columns, rows) code.
std::pair<std::string, std::string> transform_2d(const Recipe& along_h, const Recipe& along_w, const std::string& in,
                                                 const std::string& mid, const std::string& out, int unroll,
                                                 const Dialect& dialect, const std::string& indent);

inline constexpr const char* lanes = "xyzw";

// "MAKE_REAL4(part(0), part(1), part(2), part(3))": 4 values stored as one.
std::string float4_of(const std::function<std::string(int)>& part);

// One assignment per index i < n: "lhs(i) = rhs(i);", written out because
// shader compilers often keep small arrays in memory when indexed in a loop.
std::string assign_each(int n, const std::function<std::string(int)>& lhs, const std::function<std::string(int)>& rhs,
                        const std::string& indent);

// i → "array[i]".
std::function<std::string(int)> element(const std::string& array);

// The input patch of a tile with zero padding: every read is clamped into the
// image and the padding selected afterwards, so no read sits under a branch.
// The patch is at `top`, `left` of `plane` in an IMAGE_H × IMAGE_W image
// (the pass's macros: PATCH_AT declares them). `pixel` reads the pixel at
// the index that replaces its {}.
std::string patch_load(int alpha_h, int alpha_w, const std::string& indent, const std::string& pixel = "FETCH_REAL(images, {})");

// The m.h×m.w output block from its last element to its first, rows and
// columns clamped into the output (see output_tile.tmpl); with vector rows,
// each row as m.w/4 groups of 4 (the output width is a multiple of 4, so they
// are aligned).
std::string block_store(TileSize m, bool vector_rows, const std::string& indent);

// One copy of `tile_template` per tile e < group of a transform thread, each
// filled with `shared` (the tile's sizes), e and the values of values_of(e).
std::string tile_copies(const std::string& tile_template, const std::map<std::string, std::string>& shared, int group,
                        const std::function<std::map<std::string, std::string>(int)>& values_of);

}  // namespace wino
