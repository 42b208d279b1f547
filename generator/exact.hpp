// Exact numbers: the elements a + b·√d of a real quadratic field Q(√d) (d
// square-free, d = 1 for the rationals) with rational a, b, and dense matrices of
// them. Interpolation points, Toom-Cook matrices, scalings and recipe constants
// are all written in this one type, so rational and algebraic point sets (0, ±√2,
// ±√2/2) go through the same construction, proof, optimizer and emitters, and
// every constant stays exact until code is emitted.
//
// The arithmetic is CLN's rationals on the pair (a, b): fast, and safe on the
// search's worker threads. GiNaC reads any other exact expression
// ("1/sqrt(2)", "(1+sqrt(3))/2", "sqrt(8)") into this form and prints LaTeX.
#pragma once

#include <cln/integer.h>
#include <cln/rational.h>

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wino {

using Rational = cln::cl_RA;

class Exact {
public:
    Exact() = default;
    Exact(int value) : a_(value) {}
    Exact(const Rational& value) : a_(value) {}
    // a + b·√d; d must be square-free and at least 2 unless b = 0.
    Exact(const Rational& a, const Rational& b, long d);

    const Rational& rational_part() const { return a_; }
    const Rational& radical_coefficient() const { return b_; }
    long radicand() const { return d_; }  // 1 when the number is rational
    bool is_rational() const { return d_ == 1; }

    Exact operator-() const { return Exact(-a_, -b_, d_); }
    friend Exact operator+(const Exact& x, const Exact& y);
    friend Exact operator-(const Exact& x, const Exact& y);
    friend Exact operator*(const Exact& x, const Exact& y);
    friend Exact operator/(const Exact& x, const Exact& y);  // throws std::domain_error on 0

    friend bool operator==(const Exact& x, const Exact& y) { return x.d_ == y.d_ && x.a_ == y.a_ && x.b_ == y.b_; }
    // The real order; numbers of different fields compare too.
    friend std::strong_ordering operator<=>(const Exact& x, const Exact& y);

    std::size_t hash() const;

private:
    Rational a_ = 0, b_ = 0;
    long d_ = 1;
};

int sign(const Exact& x);
inline bool is_zero(const Exact& x) { return sign(x) == 0; }
inline bool is_negative(const Exact& x) { return sign(x) < 0; }
inline bool is_positive(const Exact& x) { return sign(x) > 0; }
inline bool is_unit(const Exact& x) { return x == 1 || x == -1; }  // ±1: never multiplied by
Exact abs(const Exact& x);
bool is_integer(const Exact& x);

// The radicand shared by numbers: 1 when all are rational. Throws InputError
// naming `what` when they lie in different fields (√2 beside √3), which one
// algorithm cannot hold.
long common_radicand(const std::vector<Exact>& numbers, std::string_view what);

// Reads "3", "-7/9", "sqrt(2)/2", "sqrt2", "1-3*sqrt(5)/4", and through GiNaC
// any exact real expression of + - * /, brackets and one square root
// ("1/sqrt(2)", "(1+sqrt(3))/2"). Throws InputError naming `what` otherwise
// (empty, "abc", "1.5", "1/0", spaces, sqrt(-2), pi, 2^3, two different roots).
Exact parse_exact(std::string_view text, std::string_view what);

// "p/q", "p", or "a+b*sqrt(d)/q" forms; parse_exact reads it back exactly and
// without GiNaC (the JSON and text spelling).
std::string to_string(const Exact& x);
// LaTeX: \frac{1}{2}, -\frac{\sqrt{2}}{2}.
std::string to_latex(const Exact& x);

// The float (double) nearest to x, as the kernels will hold it.
float to_float(const Exact& x);
double to_double(const Exact& x);

// The nearest float as a C/C++/CUDA/GLSL literal that reads back exactly:
// "0.5f", "-4.0f", "0.70710677f".
std::string float_literal(const Exact& x);
// A float so: "6.0f", "0.01f".
std::string float_literal(float value);

// The binary16 number nearest to x (ties to even, ±inf past 65504), as the
// float that holds it exactly: the constant fp16 kernels compute with. Rounded
// once from x itself, not from its float.
float to_half(const Exact& x);

// Dense row-major matrix of exact numbers.
class ExactMatrix {
public:
    ExactMatrix() = default;
    ExactMatrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(rows * cols, Exact(0)) {}

    std::size_t rows() const { return rows_; }
    std::size_t cols() const { return cols_; }
    Exact& operator()(std::size_t i, std::size_t j) { return data_[i * cols_ + j]; }
    const Exact& operator()(std::size_t i, std::size_t j) const { return data_[i * cols_ + j]; }

    friend bool operator==(const ExactMatrix& a, const ExactMatrix& b);

private:
    std::size_t rows_ = 0, cols_ = 0;
    std::vector<Exact> data_;
};

ExactMatrix multiply(const ExactMatrix& a, const ExactMatrix& b);
ExactMatrix transpose(const ExactMatrix& a);

// The positive rational c with v / c primitive: the gcd of the numerators over
// the lcm of the denominators of every rational coordinate (a and b) of v, so
// (2, 4√2) has content 2 and (1/2, √2/4) has 1/4; 1 for an all-zero vector.
Rational content(const std::vector<Exact>& v);

}  // namespace wino

template <>
struct std::hash<wino::Exact> {
    std::size_t operator()(const wino::Exact& x) const { return x.hash(); }
};
