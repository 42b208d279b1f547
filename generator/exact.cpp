// Arithmetic in Q(√d) on CLN rationals; reading through a fast path for the
// forms wino-gen writes and GiNaC for every other exact expression.
#include "generator/exact.hpp"

#include "generator/half.hpp"

#include <wino/errors.hpp>

#include <cln/float.h>
#include <cln/integer_io.h>
#include <cln/rational_io.h>
#include <cln/real.h>

#include <fmt/format.h>
#include <ginac/ginac.h>

#include <cstring>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace wino {
namespace {

// Radicands beyond this are no interpolation point anyone wants, and keep the
// factorization below trivial.
constexpr long max_radicand = 1000000;
constexpr std::size_t max_expression_length = 200;

long field_of(const Exact& x, const Exact& y) {
    if (x.is_rational()) return y.radicand();
    if (y.is_rational() || x.radicand() == y.radicand()) return x.radicand();
    throw std::domain_error(
        fmt::format("sqrt({}) and sqrt({}) lie in different fields", x.radicand(), y.radicand()));
}

std::string rational_text(const Rational& x) {
    std::ostringstream out;
    cln::fprint(out, x);
    return out.str();
}

// n = f²·d with d square-free; n ≥ 1.
std::pair<long, long> square_free_split(long n) {
    long f = 1;
    for (long p = 2; p * p <= n; ++p)
        while (n % (p * p) == 0) n /= p * p, f *= p;
    return {f, n};
}

// √(n/m) for positive integers as q·√d, d square-free.
Exact square_root(const Rational& value, std::string_view what, std::string_view text) {
    if (cln::minusp(value))
        throw InputError(fmt::format("{} '{}' is not real (square root of a negative number)", what, text));
    const cln::cl_I numer = cln::numerator(value), denom = cln::denominator(value);
    const cln::cl_I product = numer * denom;
    if (product > max_radicand)
        throw InputError(fmt::format("{} '{}' has a square root of a number above {}", what, text, max_radicand));
    const auto [f, d] = square_free_split(cln::cl_I_to_long(product));
    const Rational q = Rational(f) / denom;  // √(n/m) = √(n·m)/m
    return d == 1 ? Exact(q) : Exact(0, q, d);
}

// The forms to_string writes, read without GiNaC (so on any thread):
// [a(+|-)][c*]sqrt(d)[/q] or a rational; "sqrtN" for sqrt(N).
std::optional<Exact> read_plain(const std::string& s, std::string_view what) {
    static const std::regex rational(R"([+-]?[0-9]+(?:/[0-9]+)?)");
    static const std::regex quadratic(
        R"((?:([+-]?[0-9]+(?:/[0-9]+)?)(?=[+-]))?([+-]?)(?:([0-9]+)\*)?sqrt(?:\(([0-9]+)\)|([0-9]+))(?:/([0-9]+))?)");
    auto integer = [](const std::string& digits) { return cln::cl_I(digits.c_str()); };
    auto rational_of = [&](const std::string& t) {
        const bool negative = t[0] == '-';
        const std::string body = t.substr(t[0] == '-' || t[0] == '+' ? 1 : 0);
        const std::size_t slash = body.find('/');
        const cln::cl_I numer = integer(body.substr(0, slash));
        const cln::cl_I denom = slash == std::string::npos ? cln::cl_I(1) : integer(body.substr(slash + 1));
        if (cln::zerop(denom)) throw InputError(fmt::format("{} '{}' has a zero denominator", what, s));
        const Rational v = numer / denom;
        return negative ? Rational(-v) : v;
    };
    std::smatch parts;
    if (std::regex_match(s, rational)) return Exact(rational_of(s));
    if (!std::regex_match(s, parts, quadratic)) return std::nullopt;
    const Rational a = parts[1].matched ? rational_of(parts[1].str()) : Rational(0);
    const cln::cl_I c = parts[3].matched ? integer(parts[3].str()) : cln::cl_I(1);
    const cln::cl_I q = parts[6].matched ? integer(parts[6].str()) : cln::cl_I(1);
    if (cln::zerop(q)) throw InputError(fmt::format("{} '{}' has a zero denominator", what, s));
    const std::string radicand = parts[4].matched ? parts[4].str() : parts[5].str();
    const Exact root = square_root(Rational(integer(radicand)), what, s);
    const Rational b = Rational(c) / q;
    return Exact(a) + Exact(parts[2].str() == "-" ? Rational(-b) : b) * root;
}

// Replaces every power q^(k/2) (q rational, k odd) by q^((k−1)/2)·c·s, where
// √q = c·√d and the symbol s stands for √d; records d.
class RadicalToSymbol : public GiNaC::map_function {
public:
    RadicalToSymbol(const GiNaC::symbol& s, std::string_view what, std::string_view text)
        : s_(s), what_(what), text_(text) {}
    long radicand = 1;

    GiNaC::ex operator()(const GiNaC::ex& e) override {
        using namespace GiNaC;
        if (is_a<power>(e) && is_a<numeric>(e.op(0)) && is_a<numeric>(e.op(1))) {
            const numeric base = ex_to<numeric>(e.op(0)), exponent = ex_to<numeric>(e.op(1));
            if (base.is_rational() && exponent.is_rational() && exponent.denom() == 2) {
                const Rational q = cln::the<cln::cl_RA>(base.to_cl_N());
                const Exact root = square_root(q, what_, text_);
                if (!root.is_rational()) {
                    if (radicand != 1 && radicand != root.radicand())
                        throw InputError(fmt::format("{} '{}' mixes sqrt({}) and sqrt({}): an exact number here lies in "
                                                     "one field Q(sqrt d)",
                                                     what_, text_, radicand, root.radicand()));
                    radicand = root.radicand();
                }
                const ex coefficient =
                    numeric(cln::cl_N(root.is_rational() ? root.rational_part() : root.radical_coefficient()));
                const ex root_ex = root.is_rational() ? coefficient : coefficient * s_;
                const numeric whole = exponent - numeric(1, 2);
                return pow(base, whole) * root_ex;
            }
        }
        return e.map(*this);
    }

private:
    const GiNaC::symbol& s_;
    std::string_view what_, text_;
};

// A polynomial in s (s² = radicand) with rational coefficients as an Exact.
Exact reduce(const GiNaC::ex& polynomial, const GiNaC::symbol& s, long radicand, std::string_view what,
             std::string_view text) {
    using namespace GiNaC;
    const ex p = polynomial.expand();
    if (!p.is_polynomial(s)) throw InputError(fmt::format("{} '{}' is not an exact real number", what, text));
    Exact value = 0, power = 1;
    const Exact root = radicand == 1 ? Exact(0) : Exact(0, 1, radicand);
    for (int k = 0; k <= p.degree(s); ++k, power = power * root) {
        const ex c = p.coeff(s, k);
        if (!is_a<numeric>(c) || !ex_to<numeric>(c).is_rational())
            throw InputError(
                fmt::format("{} '{}' is not exact (expected forms like 2, -1/2, sqrt(2)/2, 1+sqrt(3))", what, text));
        value = value + Exact(cln::the<cln::cl_RA>(ex_to<numeric>(c).to_cl_N())) * power;
    }
    return value;
}

Exact read_expression(const std::string& s, std::string_view what) {
    GiNaC::parser reader;
    reader.strict = true;
    GiNaC::ex e;
    try {
        e = reader(s);
    } catch (const std::exception&) {
        throw InputError(fmt::format(
            "{} '{}' is not an exact number (expected forms like 2, -1/2, sqrt(2)/2, 1+sqrt(3))", what, s));
    }
    const GiNaC::symbol root_symbol("s");
    RadicalToSymbol to_symbol(root_symbol, what, s);
    const GiNaC::ex in_s = to_symbol(e);
    GiNaC::ex fraction;
    try {
        fraction = in_s.normal().numer_denom();
    } catch (const std::exception&) {
        throw InputError(fmt::format("{} '{}' is not a finite number", what, s));
    }
    const Exact numer = reduce(fraction.op(0), root_symbol, to_symbol.radicand, what, s);
    const Exact denom = reduce(fraction.op(1), root_symbol, to_symbol.radicand, what, s);
    if (is_zero(denom)) throw InputError(fmt::format("{} '{}' divides by zero", what, s));
    return numer / denom;
}

// a + b√d to `precision` decimal digits.
cln::cl_F approximate(const Exact& x, long digits) {
    const cln::float_format_t format = cln::float_format(digits);
    cln::cl_F value = cln::cl_float(x.rational_part(), format);
    if (!x.is_rational())
        value = value + cln::cl_float(x.radical_coefficient(), format) *
                            cln::sqrt(cln::cl_float(cln::cl_I(x.radicand()), format));
    return value;
}

}  // namespace

Exact::Exact(const Rational& a, const Rational& b, long d) : a_(a), b_(b), d_(cln::zerop(b) ? 1 : d) {
    if (!cln::zerop(b) && (d < 2 || square_free_split(d).first != 1))
        throw std::domain_error(fmt::format("sqrt({}) is not a square-free radical", d));
}

Exact operator+(const Exact& x, const Exact& y) { return Exact(x.a_ + y.a_, x.b_ + y.b_, field_of(x, y)); }
Exact operator-(const Exact& x, const Exact& y) { return Exact(x.a_ - y.a_, x.b_ - y.b_, field_of(x, y)); }

Exact operator*(const Exact& x, const Exact& y) {
    const long d = field_of(x, y);
    return Exact(x.a_ * y.a_ + x.b_ * y.b_ * d, x.a_ * y.b_ + x.b_ * y.a_, d);
}

Exact operator/(const Exact& x, const Exact& y) {
    if (cln::zerop(y.a_) && cln::zerop(y.b_)) throw std::domain_error("division by zero");
    if (y.is_rational()) return Exact(x.a_ / y.a_, x.b_ / y.a_, x.d_);
    // x / y = x·ȳ / (y·ȳ), with ȳ = a − b√d and y·ȳ = a² − b²d rational.
    const Rational norm = y.a_ * y.a_ - y.b_ * y.b_ * y.d_;
    const Exact numer = x * Exact(y.a_, -y.b_, y.d_);
    return Exact(numer.a_ / norm, numer.b_ / norm, numer.d_);
}

int sign(const Exact& x) {
    const int sa = cln::zerop(x.rational_part()) ? 0 : (cln::minusp(x.rational_part()) ? -1 : 1);
    const int sb = cln::zerop(x.radical_coefficient()) ? 0 : (cln::minusp(x.radical_coefficient()) ? -1 : 1);
    if (sb == 0) return sa;
    if (sa == 0 || sa == sb) return sb;
    // Opposite signs: the larger of a² and b²d wins; they are never equal, as √d is irrational.
    const Rational a2 = x.rational_part() * x.rational_part();
    const Rational b2d = x.radical_coefficient() * x.radical_coefficient() * x.radicand();
    return a2 > b2d ? sa : sb;
}

std::strong_ordering operator<=>(const Exact& x, const Exact& y) {
    if (x == y) return std::strong_ordering::equal;
    if (x.is_rational() || y.is_rational() || x.d_ == y.d_) return sign(x - y) < 0 ? std::strong_ordering::less
                                                                                  : std::strong_ordering::greater;
    // Different fields: equal never, so compare the values to enough digits.
    return cln::compare(approximate(x, 60), approximate(y, 60)) < 0 ? std::strong_ordering::less
                                                                    : std::strong_ordering::greater;
}

std::size_t Exact::hash() const {
    return (cln::equal_hashcode(a_) * 1000003u ^ cln::equal_hashcode(b_)) * 31u + static_cast<std::size_t>(d_);
}

Exact abs(const Exact& x) { return is_negative(x) ? -x : x; }

bool is_integer(const Exact& x) { return x.is_rational() && cln::denominator(x.rational_part()) == 1; }

long common_radicand(const std::vector<Exact>& numbers, std::string_view what) {
    long d = 1;
    for (const Exact& x : numbers) {
        if (x.is_rational()) continue;
        if (d != 1 && d != x.radicand())
            throw InputError(fmt::format("{} mix sqrt({}) and sqrt({}): they must lie in one field Q(sqrt d)", what, d,
                                         x.radicand()));
        d = x.radicand();
    }
    return d;
}

Exact parse_exact(std::string_view text, std::string_view what) {
    const std::string s(text);
    if (s.empty() || s.find_first_of(" \t\n\r") != std::string::npos)
        throw InputError(fmt::format("{} '{}' is not an exact number (expected forms like 2, -1/2, sqrt(2)/2)", what, s));
    if (auto plain = read_plain(s, what)) return *plain;
    // Only the four operations, brackets and sqrt reach GiNaC, in a short text:
    // its reader evaluates as it reads, and 9^(9^9) or exp(…) would never end.
    static const std::regex arithmetic(R"((?:[0-9+*/()-]|sqrt)+)");
    if (s.size() > max_expression_length || !std::regex_match(s, arithmetic))
        throw InputError(fmt::format("{} '{}' is not an exact number: write integers, + - * /, brackets and sqrt(N), "
                                     "at most {} characters",
                                     what, s, max_expression_length));
    // GiNaC spells √N only as sqrt(N).
    static const std::regex shorthand(R"(sqrt([0-9]+))");
    return read_expression(std::regex_replace(s, shorthand, "sqrt($1)"), what);
}

std::string to_string(const Exact& x) {
    if (x.is_rational()) return rational_text(x.rational_part());
    const Rational& b = x.radical_coefficient();
    const cln::cl_I numer = cln::abs(cln::numerator(b)), denom = cln::denominator(b);
    std::string radical = fmt::format("sqrt({})", x.radicand());
    if (numer != 1) radical = fmt::format("{}*{}", rational_text(numer), radical);
    if (denom != 1) radical = fmt::format("{}/{}", radical, rational_text(denom));
    const std::string rational = cln::zerop(x.rational_part()) ? "" : rational_text(x.rational_part());
    return fmt::format("{}{}{}", rational, cln::minusp(b) ? "-" : (rational.empty() ? "" : "+"), radical);
}

std::string to_latex(const Exact& x) {
    auto fraction = [](const cln::cl_I& numer, const cln::cl_I& denom, const std::string& times) {
        const std::string top = times.empty() ? rational_text(numer) : (numer == 1 ? "" : rational_text(numer)) + times;
        return denom == 1 ? top : fmt::format("\\frac{{{}}}{{{}}}", top, rational_text(denom));
    };
    const Rational& a = x.rational_part();
    std::string text;
    if (!cln::zerop(a) || x.is_rational())
        text = fmt::format("{}{}", cln::minusp(a) ? "-" : "", fraction(cln::abs(cln::numerator(a)), cln::denominator(a), ""));
    if (!x.is_rational()) {
        const Rational& b = x.radical_coefficient();
        text += cln::minusp(b) ? "-" : (text.empty() ? "" : "+");
        text += fraction(cln::abs(cln::numerator(b)), cln::denominator(b), fmt::format("\\sqrt{{{}}}", x.radicand()));
    }
    return text;
}

float to_float(const Exact& x) {
    return x.is_rational() ? cln::float_approx(x.rational_part()) : cln::float_approx(approximate(x, 40));
}

double to_double(const Exact& x) {
    return x.is_rational() ? cln::double_approx(x.rational_part()) : cln::double_approx(approximate(x, 40));
}

std::string float_literal(const Exact& x) { return float_literal(to_float(x)); }

std::string float_literal(float value) {
    std::string s = fmt::format("{}", value);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s + "f";
}

float to_half(const Exact& x) {
    // The binary16 numbers around x's double include the nearest to x; which
    // one it is, is decided on the exact values, so no double rounding.
    const double near = to_binary16(to_double(x));
    if (std::isinf(near)) return static_cast<float>(near);
    auto exact = [](double h) { return Exact(cln::rational(cln::cl_DF(h))); };
    const std::uint16_t bits = binary16_bits(near);
    double best = near;
    for (int step : {-1, 1}) {
        const auto other_bits = static_cast<std::uint16_t>(bits + step);
        const double other = from_binary16_bits(other_bits);
        if (std::isinf(other) || std::isnan(other)) continue;
        const auto order = abs(x - exact(other)) <=> abs(x - exact(best));
        if (order < 0 || (order == 0 && (other_bits & 1) == 0)) best = other;
    }
    return static_cast<float>(best);
}

bool operator==(const ExactMatrix& a, const ExactMatrix& b) {
    return a.rows_ == b.rows_ && a.cols_ == b.cols_ && a.data_ == b.data_;
}

ExactMatrix multiply(const ExactMatrix& a, const ExactMatrix& b) {
    ExactMatrix c(a.rows(), b.cols());
    for (std::size_t i = 0; i < a.rows(); ++i)
        for (std::size_t k = 0; k < a.cols(); ++k) {
            if (is_zero(a(i, k))) continue;
            for (std::size_t j = 0; j < b.cols(); ++j) c(i, j) = c(i, j) + a(i, k) * b(k, j);
        }
    return c;
}

ExactMatrix transpose(const ExactMatrix& a) {
    ExactMatrix t(a.cols(), a.rows());
    for (std::size_t i = 0; i < a.rows(); ++i)
        for (std::size_t j = 0; j < a.cols(); ++j) t(j, i) = a(i, j);
    return t;
}

Rational content(const std::vector<Exact>& v) {
    cln::cl_I numer_gcd = 0, denom_lcm = 1;
    for (const Exact& x : v)
        for (const Rational& coordinate : {x.rational_part(), x.radical_coefficient()}) {
            numer_gcd = cln::gcd(numer_gcd, cln::numerator(coordinate));
            denom_lcm = cln::lcm(denom_lcm, cln::denominator(coordinate));
        }
    return cln::zerop(numer_gcd) ? Rational(1) : Rational(numer_gcd / denom_lcm);
}

}  // namespace wino
