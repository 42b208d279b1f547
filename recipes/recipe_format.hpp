// Recipes as JSON (DESIGN.md: inputs, outputs, ops {dst, op, args}, counts),
// as readable text, and as straight-line statements for C-like dialects (C, and
// later the kernel templates' CUDA and GLSL bodies).
#pragma once

#include "recipes/optimizer.hpp"
#include "recipes/recipe.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace wino {

nlohmann::ordered_json to_json(const OpCounts& counts);
nlohmann::ordered_json to_json(const Recipe& recipe);
// Throws InputError naming the first problem: a missing field, an unknown op, a
// wrong argument count, a name used before it is defined, a malformed constant.
Recipe recipe_from_json(const nlohmann::ordered_json& j);

// "y1 = t0 + t1" per line.
std::string render_text(const Recipe& recipe);

// A constant as a float literal with its exact value in a comment:
// "0.70710677f /* sqrt(2)/2 */".
std::string float_constant(const Exact& c);

// How a dialect spells a statement. `constant` writes each constant, with its
// exact value in a comment.
struct Dialect {
    std::string declare = "const float";  // prefix of a value definition
    std::string fma = "fmaf";             // fused multiply-add function
    std::string (*constant)(const Exact&) = float_constant;
};

// One definition per op ("const float t0 = fmaf(x2, -4.0f /* -4 */, x4);"),
// reading inputs through input_names and naming values after value_names();
// then, when output_names are given, one "output_names[i] = <output i>;" each.
std::string render_statements(const Recipe& recipe, const Dialect& dialect, const std::vector<std::string>& input_names,
                              const std::string& indent, const std::vector<std::string>& output_names = {});

// The three 1D transforms of a recipe set as one header that C, C++ and CUDA
// include alike: winograd_f<m>_<r>_{input,filter,output}(x, x_stride, y,
// y_stride) computes y = M x for its exact (scaled) matrix, printed above it.
// `only` names the transforms to include; empty: all three.
std::string render_transform_header(const RecipeSet& recipes, const std::vector<std::string>& only = {});

}  // namespace wino
