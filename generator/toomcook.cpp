// Builds AT, G, BT from the evaluation/interpolation view of Toom-Cook: a linear
// convolution c = a * g of an m-term a and an r-term g is evaluated at the points
// (E_a, E_g) and interpolated back (C = V⁻¹, V the Vandermonde matrix with an
// infinity row). Transposing in a turns it into the correlation
// y = E_aᵀ[(E_g g) ⊙ (Cᵀ d)], so AT = E_aᵀ, G = E_g, BT = Cᵀ, and row l of Cᵀ is
// the coefficient vector of the Lagrange basis polynomial of point l.
#include "generator/toomcook.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

namespace wino {
namespace {

using Polynomial = std::vector<Exact>;  // coefficients, lowest degree first

Polynomial times_linear(const Polynomial& p, const Exact& root) {  // p(x)·(x − root)
    Polynomial q(p.size() + 1, Exact(0));
    for (std::size_t i = 0; i < p.size(); ++i) {
        q[i + 1] = q[i + 1] + p[i];
        q[i] = q[i] - root * p[i];
    }
    return q;
}

// Π_{j ∉ skip} (x − p_j), padded to alpha coefficients.
Polynomial node_polynomial(const std::vector<Exact>& points, std::size_t skip, int alpha) {
    Polynomial p{Exact(1)};
    for (std::size_t j = 0; j < points.size(); ++j)
        if (j != skip) p = times_linear(p, points[j]);
    p.resize(static_cast<std::size_t>(alpha), Exact(0));
    return p;
}

// Evaluation matrix (alpha × n) of an n-term polynomial at the points and at infinity
// (the leading coefficient).
ExactMatrix evaluation_matrix(const std::vector<Exact>& points, int n) {
    const std::size_t rows = points.size() + 1, cols = static_cast<std::size_t>(n);
    ExactMatrix e(rows, cols);
    for (std::size_t l = 0; l < points.size(); ++l) {
        Exact power = 1;
        for (std::size_t k = 0; k < cols; ++k, power = power * points[l]) e(l, k) = power;
    }
    e(rows - 1, cols - 1) = 1;
    return e;
}

ExactMatrix interpolation_transposed(const std::vector<Exact>& points, int alpha) {
    ExactMatrix bt(static_cast<std::size_t>(alpha), static_cast<std::size_t>(alpha));
    for (std::size_t l = 0; l <= points.size(); ++l) {
        Polynomial row = node_polynomial(points, l, alpha);  // l == size: all nodes (infinity row)
        Exact scale = 1;
        for (std::size_t j = 0; j < points.size() && l < points.size(); ++j)
            if (j != l) scale = scale * (points[l] - points[j]);
        for (std::size_t k = 0; k < row.size(); ++k) bt(l, k) = row[k] / scale;
    }
    return bt;
}

std::vector<Exact> row_of(const ExactMatrix& m, std::size_t i) {
    std::vector<Exact> v;
    for (std::size_t j = 0; j < m.cols(); ++j) v.push_back(m(i, j));
    return v;
}

void scale_row(ExactMatrix& m, std::size_t i, const Exact& s) {
    for (std::size_t j = 0; j < m.cols(); ++j) m(i, j) = m(i, j) * s;
}

void scale_col(ExactMatrix& m, std::size_t j, const Exact& s) {
    for (std::size_t i = 0; i < m.rows(); ++i) m(i, j) = m(i, j) * s;
}

// The diagonal freedom of Winograd: AT column l, G row l and BT row l may be
// scaled by a, g, b with a·g·b = 1. Two matrices become primitive integer, the
// third takes the product of the inverse factors.
void place_fractions(ToomCook1D& t) {
    const ExactMatrix A = transpose(t.AT);
    for (std::size_t l = 0; l < static_cast<std::size_t>(t.alpha); ++l) {
        Exact a = 1 / content(row_of(A, l)), g = 1 / content(row_of(t.G, l)), b = 1 / content(row_of(t.BT, l));
        switch (t.fractions_in) {
            case FractionsIn::G: g = 1 / (a * b); break;
            case FractionsIn::A: a = 1 / (g * b); break;
            case FractionsIn::B: b = 1 / (a * g); break;
        }
        scale_col(t.AT, l, a);
        scale_row(t.G, l, g);
        scale_row(t.BT, l, b);
    }
}

}  // namespace

FractionsIn parse_fractions_in(std::string_view name, std::string_view what) {
    if (name == "G") return FractionsIn::G;
    if (name == "A") return FractionsIn::A;
    if (name == "B") return FractionsIn::B;
    throw InputError(fmt::format("{} must be G, A or B, not '{}'", what, name));
}

const char* to_string(FractionsIn where) {
    switch (where) {
        case FractionsIn::G: return "G";
        case FractionsIn::A: return "A";
        case FractionsIn::B: return "B";
    }
    return "?";
}

void validate_tile(int m, int r) {
    if (m < 1) throw InputError(fmt::format("m must be at least 1, got {}", m));
    if (r < 1) throw InputError(fmt::format("r must be at least 1, got {}", r));
    if (1LL * m + r - 1 > max_alpha)
        throw InputError(fmt::format("alpha = m + r - 1 = {} exceeds the maximum {}", 1LL * m + r - 1, max_alpha));
}

ToomCook1D build_toom_cook(int m, int r, const PointSet& points, FractionsIn fractions_in) {
    validate_tile(m, r);
    const int alpha = m + r - 1;
    validate_points(points, alpha);
    ToomCook1D t{m, r, alpha, points, fractions_in, {}, {}, {}};
    t.AT = transpose(evaluation_matrix(points.finite, m));
    t.G = evaluation_matrix(points.finite, r);
    t.BT = interpolation_transposed(points.finite, alpha);
    place_fractions(t);
    return t;
}

}  // namespace wino
