// Exact proofs that a Toom-Cook algorithm computes the correlation. The
// algorithm is bilinear in (g, d), so it is correct exactly when it is correct on
// every pair of basis vectors; the proofs check all of them in rational
// arithmetic, which is a proof, not a sample.
#pragma once

#include "generator/toomcook.hpp"

#include <optional>
#include <string>

namespace wino {

// The first wrong coefficient, described, or nothing when
// AT[(G g) ⊙ (BT d)] = correlation(d, g) holds identically.
std::optional<std::string> find_defect_1d(const ToomCook1D& t);

// Same for Y = AT_h [(G_h g G_wᵀ) ⊙ (BT_h d BT_wᵀ)] AT_wᵀ against the 2D correlation
// Y[i][j] = Σ d[i+k][j+l]·g[k][l]: checked through the nested form itself, one
// basis filter at a time, as a linear map of d.
std::optional<std::string> find_defect_2d(const ToomCook2D& t);

// Throw ProofError carrying the defect.
void prove(const ToomCook1D& t);
void prove(const ToomCook2D& t);

}  // namespace wino
