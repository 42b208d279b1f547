// The recipe optimizer (EuroSys'20 §3.1.2): turns the exact matrices of a
// Toom-Cook algorithm into straight-line recipes with far fewer operations than
// a matrix product. Passes, each switchable for comparison: pairwise common
// subexpressions across rows (which finds the even/odd split of ±p point pairs)
// plus reuse of values already computed (CSE); factoring a common coefficient
// out of a row; FMA fusion; and the diagonal scaling freedom (BT rows and AT
// columns scaled, G compensating) chosen to make the per-tile input and output
// transforms cheapest. Zero coefficients are never computed and ±1 never
// multiplied. Everything stays exact.
#pragma once

#include "recipes/recipe.hpp"
#include "generator/toomcook.hpp"

#include <array>

namespace wino {

struct OptimizerOptions {
    bool cse = true, factor = true, fma = true, scaling = true;
    // The diagonal freedom spent on range instead of op counts, for 16-bit
    // intermediates (WinRS): each row of BT and of G scaled by the power of two
    // that brings its L1 norm nearest 1, so |V| <= max|d| and |U| <= max|g| up
    // to a factor of sqrt 2 and M = Σ U·V stays far from fp16's 65504; AT's
    // columns take the product of the inverse scales, in fp32. Powers of two are
    // exact in every float format, so they change no rounding, only the range.
    bool balanced = false;
    friend bool operator==(const OptimizerOptions&, const OptimizerOptions&) = default;
};

// The three recipes and the scaled algorithm they compute exactly:
// input computes algorithm.BT, filter algorithm.G, output algorithm.AT.
// algorithm = apply_scaling(canonical, input_scale, output_scale).
struct RecipeSet {
    ToomCook1D algorithm;
    OptimizerOptions options;
    std::vector<Exact> input_scale, output_scale;
    Recipe input, filter, output;
};

// The three transforms of a set with the matrix each computes exactly, in the
// order input (BT), filter (G), output (AT).
struct TransformPart {
    const char* name;     // "input", "filter", "output"
    const char* formula;  // "V = BT d"
    const Recipe& recipe;
    const ExactMatrix& matrix;
    int per_tile;  // 1D applications a 2D tile needs: over the columns, then the rows of the result
};
std::array<TransformPart, 3> transform_parts(const RecipeSet& set);

// BT row l times input_scale[l], AT column l times output_scale[l], G row l
// divided by both: the diagonal freedom, which keeps the algorithm correct.
ToomCook1D apply_scaling(const ToomCook1D& canonical, const std::vector<Exact>& input_scale,
                         const std::vector<Exact>& output_scale);

// `canonical` is the algorithm with fractions in G (build_toom_cook's default).
// With options.balanced the scales are balanced_scales', not op-count chosen.
RecipeSet optimize_recipes(const ToomCook1D& canonical, const OptimizerOptions& options = {});

// One linear map y = M x as a recipe. Rows marked free may come out scaled by
// any nonzero factor (the scaling freedom); realized gets the rows computed.
Recipe compile_linear_map(const ExactMatrix& m, bool rows_free, const OptimizerOptions& options,
                          ExactMatrix* realized = nullptr);

// Throws ProofError unless the recipes compute exactly the set's matrices and
// those matrices form a correct algorithm (checked by verify.hpp).
void prove(const RecipeSet& set);

}  // namespace wino
