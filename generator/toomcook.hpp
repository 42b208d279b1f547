// Toom-Cook/Lagrange construction of the exact Winograd matrices for 1D F(m,r)
// and the nested 2D F(m×n, r×s). Convention (DESIGN.md): correlation
// y[i] = Σ_k d[i+k]·g[k] and Y = AT[(G g) ⊙ (BT d)].
#pragma once

#include "generator/points.hpp"
#include "generator/exact.hpp"

#include <string_view>

namespace wino {

// Which matrix absorbs the Lagrange denominators; the other two are scaled to
// primitive integer rows (BT, G) and columns (AT).
enum class FractionsIn { G, A, B };

FractionsIn parse_fractions_in(std::string_view name, std::string_view what);
const char* to_string(FractionsIn where);

struct ToomCook1D {
    int m = 0, r = 0, alpha = 0;
    PointSet points;
    FractionsIn fractions_in = FractionsIn::G;
    ExactMatrix AT;  // m × alpha
    ExactMatrix G;   // alpha × r
    ExactMatrix BT;  // alpha × alpha
};

// F(m,r) along the height (h) nested with F(m2,r2) along the width (w):
// Y = AT_h [(G_h g G_wᵀ) ⊙ (BT_h d BT_wᵀ)] AT_wᵀ.
struct ToomCook2D {
    ToomCook1D h, w;
};

// Throws InputError when m or r < 1 or alpha exceeds max_alpha, and when the
// points do not fit alpha.
void validate_tile(int m, int r);
ToomCook1D build_toom_cook(int m, int r, const PointSet& points, FractionsIn fractions_in = FractionsIn::G);

}  // namespace wino
