// Proof by basis expansion. For 1D, the coefficient of g[k]·d[j] in output i is
// Σ_l AT[i][l]·G[l][k]·BT[l][j] and must be 1 when j = i + k, else 0.
#include "generator/verify.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

namespace wino {
namespace {

std::string describe(const char* form, const std::string& where, const Exact& got, int expected) {
    return fmt::format("{}: coefficient of {} is {}, expected {}", form, where, to_string(got), expected);
}

// Row vector u (alpha) ↦ BTᵀ u, i.e. the coefficients of d that the weights u on
// the transformed input produce.
std::vector<Exact> pull_back(const ExactMatrix& bt, const std::vector<Exact>& u) {
    std::vector<Exact> out(bt.cols(), Exact(0));
    for (std::size_t l = 0; l < bt.rows(); ++l) {
        if (is_zero(u[l])) continue;
        for (std::size_t j = 0; j < bt.cols(); ++j) out[j] = out[j] + u[l] * bt(l, j);
    }
    return out;
}

// Weights on the transformed input for output i and basis filter k: AT[i][l]·G[l][k].
std::vector<Exact> tile_weights(const ToomCook1D& t, std::size_t i, std::size_t k) {
    std::vector<Exact> u(static_cast<std::size_t>(t.alpha));
    for (std::size_t l = 0; l < u.size(); ++l) u[l] = t.AT(i, l) * t.G(l, k);
    return u;
}

}  // namespace

std::optional<std::string> find_defect_1d(const ToomCook1D& t) {
    for (int i = 0; i < t.m; ++i)
        for (int k = 0; k < t.r; ++k) {
            std::vector<Exact> coeff = pull_back(t.BT, tile_weights(t, i, k));
            for (int j = 0; j < t.alpha; ++j) {
                const int expected = j == i + k ? 1 : 0;
                if (coeff[j] != expected)
                    return describe(fmt::format("F({},{})", t.m, t.r).c_str(),
                                    fmt::format("g[{}]*d[{}] in y[{}]", k, j, i), coeff[j], expected);
            }
        }
    return std::nullopt;
}

std::optional<std::string> find_defect_2d(const ToomCook2D& t) {
    const ToomCook1D &h = t.h, &w = t.w;
    for (int k1 = 0; k1 < h.r; ++k1)
        for (int k2 = 0; k2 < w.r; ++k2)
            for (int i1 = 0; i1 < h.m; ++i1)
                for (int i2 = 0; i2 < w.m; ++i2) {
                    // With g the basis filter e(k1,k2), U = G_h g G_wᵀ is the outer product of
                    // two G columns; output (i1,i2) weighs the transformed input by
                    // (AT_h row ⊗ AT_w row) ⊙ U, and pulls back through BT_h and BT_w.
                    std::vector<Exact> rows = pull_back(h.BT, tile_weights(h, i1, k1));
                    std::vector<Exact> cols = pull_back(w.BT, tile_weights(w, i2, k2));
                    for (int j1 = 0; j1 < h.alpha; ++j1)
                        for (int j2 = 0; j2 < w.alpha; ++j2) {
                            const int expected = (j1 == i1 + k1 && j2 == i2 + k2) ? 1 : 0;
                            const Exact got = rows[j1] * cols[j2];
                            if (got != expected)
                                return describe(fmt::format("F({}x{},{}x{})", h.m, w.m, h.r, w.r).c_str(),
                                                fmt::format("g[{}][{}]*d[{}][{}] in Y[{}][{}]", k1, k2, j1, j2, i1, i2),
                                                got, expected);
                        }
                }
    return std::nullopt;
}

void prove(const ToomCook1D& t) {
    if (auto defect = find_defect_1d(t)) throw ProofError("proof failed: " + *defect);
}

void prove(const ToomCook2D& t) {
    if (auto defect = find_defect_2d(t)) throw ProofError("proof failed: " + *defect);
}

}  // namespace wino
