// Parsing, printing and small linear algebra over CLN rationals.
#include "rational.hpp"

#include <wino/errors.hpp>

#include <cln/integer.h>
#include <cln/integer_io.h>
#include <cln/rational_io.h>

#include <fmt/format.h>

#include <regex>
#include <sstream>

namespace wino {

Rational parse_rational(std::string_view text, std::string_view what) {
    static const std::regex shape(R"(([+-]?)([0-9]+)(?:/([0-9]+))?)");
    std::string s(text);
    std::smatch parts;
    if (!std::regex_match(s, parts, shape))
        throw InputError(fmt::format("{} '{}' is not a rational number (expected forms like 2, -1/2, 7/9)", what, s));
    // Digits were validated above, so CLN's reader cannot fail on them.
    cln::cl_I numer(parts[2].str().c_str());
    cln::cl_I denom = parts[3].matched ? cln::cl_I(parts[3].str().c_str()) : cln::cl_I(1);
    if (cln::zerop(denom)) throw InputError(fmt::format("{} '{}' has a zero denominator", what, s));
    Rational value = numer / denom;
    return parts[1].str() == "-" ? Rational(-value) : value;
}

std::string to_string(const Rational& x) {
    std::ostringstream out;
    cln::fprint(out, x);
    return out.str();
}

float to_float(const Rational& x) { return cln::float_approx(x); }
double to_double(const Rational& x) { return cln::double_approx(x); }

bool is_integer(const Rational& x) { return cln::denominator(x) == 1; }

std::string float_literal(const Rational& x) {
    std::string s = fmt::format("{}", to_float(x));
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s + "f";
}

bool operator==(const RationalMatrix& a, const RationalMatrix& b) {
    return a.rows_ == b.rows_ && a.cols_ == b.cols_ && a.data_ == b.data_;
}

RationalMatrix multiply(const RationalMatrix& a, const RationalMatrix& b) {
    RationalMatrix c(a.rows(), b.cols());
    for (std::size_t i = 0; i < a.rows(); ++i)
        for (std::size_t k = 0; k < a.cols(); ++k) {
            if (cln::zerop(a(i, k))) continue;
            for (std::size_t j = 0; j < b.cols(); ++j) c(i, j) = c(i, j) + a(i, k) * b(k, j);
        }
    return c;
}

RationalMatrix transpose(const RationalMatrix& a) {
    RationalMatrix t(a.cols(), a.rows());
    for (std::size_t i = 0; i < a.rows(); ++i)
        for (std::size_t j = 0; j < a.cols(); ++j) t(j, i) = a(i, j);
    return t;
}

Rational content(const std::vector<Rational>& v) {
    cln::cl_I numer_gcd = 0, denom_lcm = 1;
    for (const Rational& x : v) {
        numer_gcd = cln::gcd(numer_gcd, cln::numerator(x));
        denom_lcm = cln::lcm(denom_lcm, cln::denominator(x));
    }
    return cln::zerop(numer_gcd) ? Rational(1) : Rational(numer_gcd / denom_lcm);
}

}  // namespace wino
