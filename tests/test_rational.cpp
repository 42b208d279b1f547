// Exact rationals: parsing, printing, float conversion, content.
#include <wino/errors.hpp>
#include "rational.hpp"

#include <catch2/catch.hpp>

using namespace wino;

TEST_CASE("rationals parse in lowest terms and print as p/q") {
    CHECK(to_string(parse_rational("0", "x")) == "0");
    CHECK(to_string(parse_rational("-7/9", "x")) == "-7/9");
    CHECK(to_string(parse_rational("+4/6", "x")) == "2/3");
    CHECK(to_string(parse_rational("-8/4", "x")) == "-2");
    CHECK(to_string(parse_rational("123456789012345678901234567890", "x")) == "123456789012345678901234567890");
}

TEST_CASE("malformed rationals are input errors") {
    for (const char* bad : {"", "abc", "1/0", "2/", "/3", "1.5", " 1", "1/-2", "--1", "1/2/3"})
        CHECK_THROWS_AS(parse_rational(bad, "point"), InputError);
}

TEST_CASE("float conversion rounds to nearest") {
    CHECK(to_float(parse_rational("1/3", "x")) == 1.0f / 3.0f);
    CHECK(to_double(parse_rational("-7/9", "x")) == -7.0 / 9.0);
}

TEST_CASE("content makes a vector primitive integer") {
    std::vector<Rational> v = {Rational(1) / 2, Rational(-3) / 4, Rational(0)};
    CHECK(content(v) == Rational(1) / 4);
    CHECK(content({Rational(6), Rational(-9)}) == 3);
    CHECK(content({Rational(0), Rational(0)}) == 1);
}

TEST_CASE("matrix product and transpose are exact") {
    RationalMatrix a(2, 2), b(2, 1);
    a(0, 0) = Rational(1) / 3; a(0, 1) = 2; a(1, 0) = -1; a(1, 1) = Rational(1) / 2;
    b(0, 0) = 3; b(1, 0) = 4;
    RationalMatrix c = multiply(a, b);
    CHECK(c(0, 0) == 9);
    CHECK(c(1, 0) == -1);
    CHECK(transpose(transpose(a)) == a);
    CHECK(transpose(a)(0, 1) == -1);
}
