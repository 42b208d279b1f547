// Exact rationals (CLN) and dense rational matrices: the number type every exact
// computation of wino-gen is written in, with parsing and printing as "p/q".
#pragma once

#include <cln/integer.h>
#include <cln/rational.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wino {

using Rational = cln::cl_RA;

// Parses "3", "-7/9", "+1/2"; throws InputError naming `what` on anything else
// (empty, "abc", "2/", "1/0", spaces).
Rational parse_rational(std::string_view text, std::string_view what);

// "p/q" in lowest terms, or "p" when q = 1 (the JSON and text spelling).
std::string to_string(const Rational& x);

// The float nearest to x, as the kernels will hold it.
float to_float(const Rational& x);
double to_double(const Rational& x);

bool is_integer(const Rational& x);

// The nearest float as a C/C++/CUDA literal that reads back exactly: "0.5f", "-4.0f".
std::string float_literal(const Rational& x);

// Dense row-major matrix of exact rationals.
class RationalMatrix {
public:
    RationalMatrix() = default;
    RationalMatrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(rows * cols, Rational(0)) {}

    std::size_t rows() const { return rows_; }
    std::size_t cols() const { return cols_; }
    Rational& operator()(std::size_t i, std::size_t j) { return data_[i * cols_ + j]; }
    const Rational& operator()(std::size_t i, std::size_t j) const { return data_[i * cols_ + j]; }

    friend bool operator==(const RationalMatrix& a, const RationalMatrix& b);

private:
    std::size_t rows_ = 0, cols_ = 0;
    std::vector<Rational> data_;
};

RationalMatrix multiply(const RationalMatrix& a, const RationalMatrix& b);
RationalMatrix transpose(const RationalMatrix& a);

// The positive rational c with v / c a primitive integer vector (gcd of
// numerators over lcm of denominators); 1 for an all-zero vector.
Rational content(const std::vector<Rational>& v);

}  // namespace wino
