// Exact numbers of Q(√d): parsing (plain forms and GiNaC expressions), printing,
// field arithmetic, order, float conversion, content.
#include <wino/errors.hpp>
#include "generator/half.hpp"
#include "generator/exact.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace wino;

TEST_CASE("rationals parse in lowest terms and print as p/q") {
    CHECK(to_string(parse_exact("0", "x")) == "0");
    CHECK(to_string(parse_exact("-7/9", "x")) == "-7/9");
    CHECK(to_string(parse_exact("+4/6", "x")) == "2/3");
    CHECK(to_string(parse_exact("-8/4", "x")) == "-2");
    CHECK(to_string(parse_exact("123456789012345678901234567890", "x")) == "123456789012345678901234567890");
}

TEST_CASE("malformed rationals are input errors, and exact arithmetic reads as its value") {
    for (const char* bad : {"", "abc", "1/0", "2/", "/3", "1.5", " 1", "1 /2", "1/2/"})
        CHECK_THROWS_AS(parse_exact(bad, "point"), InputError);
    CHECK(parse_exact("1/-2", "x") == Exact(-1) / 2);
    CHECK(parse_exact("1/2/3", "x") == Exact(1) / 6);
    CHECK(parse_exact("2*(3-1/2)", "x") == 5);
    CHECK_THROWS_AS(parse_exact(std::string(150, '(') + "1" + std::string(150, ')'), "x"), InputError);  // too long
}

TEST_CASE("float conversion rounds to nearest") {
    CHECK(to_float(parse_exact("1/3", "x")) == 1.0f / 3.0f);
    CHECK(to_double(parse_exact("-7/9", "x")) == -7.0 / 9.0);
}

TEST_CASE("content makes a vector primitive integer") {
    std::vector<Exact> v = {Exact(1) / 2, Exact(-3) / 4, Exact(0)};
    CHECK(content(v) == Exact(1) / 4);
    CHECK(content({Exact(6), Exact(-9)}) == 3);
    CHECK(content({Exact(0), Exact(0)}) == 1);
}

TEST_CASE("matrix product and transpose are exact") {
    ExactMatrix a(2, 2), b(2, 1);
    a(0, 0) = Exact(1) / 3; a(0, 1) = 2; a(1, 0) = -1; a(1, 1) = Exact(1) / 2;
    b(0, 0) = 3; b(1, 0) = 4;
    ExactMatrix c = multiply(a, b);
    CHECK(c(0, 0) == 9);
    CHECK(c(1, 0) == -1);
    CHECK(transpose(transpose(a)) == a);
    CHECK(transpose(a)(0, 1) == -1);
}

namespace {
Exact sqrt_of(long d) { return Exact(0, 1, d); }
}  // namespace

TEST_CASE("algebraic numbers read in every spelling to one value, and print so they read back") {
    const Exact half_root2 = sqrt_of(2) / 2;
    for (const char* text : {"sqrt(2)/2", "sqrt2/2", "1/sqrt(2)", "1/sqrt2", "sqrt(1/2)", "sqrt(8)/4",
                             "(sqrt(2)+sqrt(2))/4", "1/(2*sqrt(2))*2"})
        CHECK(to_string(parse_exact(text, "x")) == to_string(half_root2));
    CHECK(to_string(half_root2) == "sqrt(2)/2");
    CHECK(parse_exact("1/(1+sqrt(2))", "x") == sqrt_of(2) - 1);  // the denominator made rational
    CHECK(parse_exact("(1+sqrt(3))/2", "x") == Exact(1) / 2 + sqrt_of(3) / 2);
    CHECK(parse_exact("sqrt(12)", "x") == 2 * sqrt_of(3));
    CHECK(parse_exact("sqrt(9/4)", "x") == Exact(3) / 2);  // a perfect square is rational
    CHECK(parse_exact("sqrt(2)*sqrt(2)", "x") == 2);

    // Random elements of three fields round-trip through their text without GiNaC.
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> n(-40, 40), q(1, 12);
    for (long d : {2L, 3L, 5L, 7L})
        for (int i = 0; i < 200; ++i) {
            const Exact x(Exact(n(rng)) / q(rng) + Exact(n(rng)) / q(rng) * sqrt_of(d));
            CHECK(parse_exact(to_string(x), "x") == x);
        }
}

TEST_CASE("field arithmetic is exact: inverses, conjugates, and the order of the reals") {
    const Exact r2 = sqrt_of(2), r5 = sqrt_of(5);
    CHECK(r2 * r2 == 2);
    CHECK((3 + r2) * (3 - r2) == 7);
    const Exact x = Exact(7) / 3 - 5 * r5 / 4;
    CHECK(x / x == 1);
    CHECK((1 / x) * x == 1);
    CHECK(x * (1 / x) == 1);
    CHECK_THROWS_AS(r2 * sqrt_of(3), std::domain_error);
    CHECK_THROWS_AS(x / Exact(0), std::domain_error);
    // The order agrees with the doubles on numbers far enough apart.
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> n(-20, 20), q(1, 9);
    for (int i = 0; i < 500; ++i) {
        const Exact a = Exact(n(rng)) / q(rng) + Exact(n(rng)) / q(rng) * r5;
        const Exact b = Exact(n(rng)) / q(rng) + Exact(n(rng)) / q(rng) * r5;
        if (std::abs(to_double(a) - to_double(b)) > 1e-9) CHECK((a < b) == (to_double(a) < to_double(b)));
        CHECK(sign(a) == (to_double(a) > 0) - (to_double(a) < 0));
    }
    CHECK(sqrt_of(2) < sqrt_of(3));  // different fields compare by value
    // Convergents of √2 from either side, 1e-4 away: the order is exact.
    CHECK(Exact(140) / 99 < r2);
    CHECK(r2 < Exact(99) / 70);
}

TEST_CASE("algebraic conversions round once to the nearest float and double") {
    CHECK(to_double(sqrt_of(2)) == std::sqrt(2.0));
    CHECK(to_float(sqrt_of(2) / 2) == 0.70710677f);
    CHECK(to_double(1 - sqrt_of(3)) == static_cast<double>(1.0L - std::sqrt(3.0L)));
    CHECK(float_literal(sqrt_of(2) / 2) == "0.70710677f");
    CHECK(to_latex(-sqrt_of(2) / 2) == "-\\frac{\\sqrt{2}}{2}");
    CHECK(to_latex(Exact(1) / 2 + 3 * sqrt_of(5)) == "\\frac{1}{2}+3\\sqrt{5}");
}

TEST_CASE("fp16 constants round once from the exact value, ties to even, past 65504 to infinity") {
    CHECK(to_half(parse_exact("sqrt(2)", "x")) == 1.4140625f);
    CHECK(binary16_bits(to_half(parse_exact("sqrt(2)", "x"))) == 0x3da8);
    CHECK(binary16_bits(to_half(parse_exact("-sqrt(2)/8", "x"))) == 0xb1a8);
    CHECK(to_half(parse_exact("1/3", "x")) == 0.33325195f);
    // 1 + 2^-11 is the tie of 1 and 1 + 2^-10: to even, 1.
    CHECK(to_half(Exact(1) + Exact(Rational(1) / 2048)) == 1.0f);
    // Just above the tie, the double is the tie itself; the exact value decides: up.
    const Rational above = Rational(1) + Rational(1) / 2048 + Rational(1) / (cln::expt_pos(cln::cl_I(2), 70));
    CHECK(to_double(Exact(above)) == 1.0 + 0x1p-11);
    CHECK(to_half(Exact(above)) == 1.0f + 0x1p-10f);
    CHECK(to_half(Exact(-65504)) == -65504.0f);
    CHECK(std::isinf(to_half(Exact(65536))));
    CHECK(to_half(Exact(0)) == 0.0f);
    CHECK(to_half(Exact(Rational(1) / (cln::expt_pos(cln::cl_I(2), 24)))) == 0x1p-24f);  // the least subnormal
}

TEST_CASE("inexact, complex, non-algebraic and two-field expressions are input errors naming the text") {
    for (const char* bad : {"sqrt(-2)", "pi", "Pi", "x", "sqrt(2)+sqrt(3)", "sqrt(sqrt(2))", "2^(1/3)", "sqrt(2.0)",
                            "1/(sqrt(2)-sqrt(2))", "sqrt(", "sqrt(2)/0", "I", "9^(9^9)", "exp(1)",
                            "pow(9,99999999)"}) {
        INFO(bad);
        try {
            parse_exact(bad, "point");
            FAIL("accepted");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find(bad) != std::string::npos);
        }
    }
}

TEST_CASE("content runs over both rational coordinates of algebraic entries") {
    const Exact r2 = sqrt_of(2);
    CHECK(content({Exact(2), 4 * r2}) == 2);
    CHECK(content({Exact(1) / 2, r2 / 4}) == Exact(1) / 4);
    CHECK(content({3 + 6 * r2, Exact(9)}) == 3);
}

TEST_CASE("binary16 rounding, written once (half.hpp): nearest, ties to even, inf past 65504, bits both ways") {
    CHECK(to_binary16(1.0 + std::ldexp(1.0, -11)) == 1.0);                                 // a tie: to the even 1.0
    CHECK(to_binary16(1.0 + 3 * std::ldexp(1.0, -11)) == 1.0 + std::ldexp(1.0, -9));      // a tie: to the even neighbour above
    CHECK(to_binary16(1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -20)) == 1.0 + std::ldexp(1.0, -10));  // past the tie
    CHECK(to_binary16(65504.0) == 65504.0);
    CHECK(std::isinf(to_binary16(65520.0)));
    CHECK(binary16_bits(1.0) == 0x3c00);
    CHECK(binary16_bits(-2.0) == 0xc000);
    CHECK(from_binary16_bits(0x3555) == to_binary16(1.0 / 3));
    for (std::uint16_t bits : {0x0001, 0x03ff, 0x3c01, 0x7bff, 0xfbff})
        CHECK(binary16_bits(from_binary16_bits(bits)) == bits);
}
