// The point search: reproducible, never worse than its seeds, domain respected.
#include <wino/errors.hpp>
#include "recipes/point_search.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

using namespace wino;

namespace {

SearchOptions small(int alpha, int threads) {
    SearchOptions o;
    o.alpha = alpha;
    o.trials = 1000;
    o.screen_trials = 100;
    o.beam = 2;
    o.seed = 5;
    o.threads = threads;
    return o;
}

}  // namespace

TEST_CASE("a seeded search is reproducible, whatever the thread count") {
    const SearchResult a = search_points(small(6, 1));
    const SearchResult b = search_points(small(6, 2));
    CHECK(point_strings(a.points) == point_strings(b.points));
    CHECK(a.error == b.error);
    CHECK(a.fractions_in == b.fractions_in);
    CHECK(a.candidates == b.candidates);
    CHECK(a.ops > 0);
}

TEST_CASE("the search keeps 0, 1, -1 and draws the rest from the domain") {
    const SearchResult r = search_points(small(7, 0));
    const std::vector<Exact> domain = search_domain();
    REQUIRE(r.points.finite.size() == 6);
    for (int base : {0, 1, -1})
        CHECK(std::find(r.points.finite.begin(), r.points.finite.end(), Exact(base)) != r.points.finite.end());
    for (const Exact& p : r.points.finite)
        CHECK((is_unit(p) || is_zero(p) || std::find(domain.begin(), domain.end(), p) != domain.end()));
    CHECK_NOTHROW(validate_points(r.points, 7));
}

TEST_CASE("the result is never worse than a seed set") {
    SearchOptions o = small(8, 0);
    o.seeds = {parse_points("0,-1,1,1/2,-1/2,2,-2", 8)};
    const SearchResult r = search_points(o);
    const double seed_error = best_placement_error(6, 3, o.seeds[0], {o.trials, o.seed, 0, EvaluationOrder::dense});
    CHECK(r.error <= seed_error);
}

TEST_CASE("the search domain is the reduced a/b without 0 and +-1") {
    const std::vector<Exact> d = search_domain();
    CHECK(std::find(d.begin(), d.end(), Exact(9)) != d.end());
    CHECK(std::find(d.begin(), d.end(), Exact(-1) / 9) != d.end());
    CHECK(std::find(d.begin(), d.end(), Exact(10)) == d.end());
    CHECK(std::find(d.begin(), d.end(), Exact(1)) == d.end());
    CHECK(std::is_sorted(d.begin(), d.end()));
}

TEST_CASE("bad search requests are input errors") {
    SearchOptions o = small(6, 1);
    o.start.finite = parse_point_list("0,1,-1,10");
    CHECK_THROWS_WITH(search_points(o), Catch::Contains("outside the search domain"));
    o.start.finite = parse_point_list("0,1,-1,2,2");
    CHECK_THROWS_WITH(search_points(o), Catch::Contains("appears twice"));
    o.start.finite = parse_point_list("1,-1,2");
    CHECK_THROWS_WITH(search_points(o), Catch::Contains("must include 0"));
    o.start.finite = parse_point_list("0,sqrt2");
    CHECK_THROWS_WITH(search_points(o), Catch::Contains("outside the search domain"));  // no field asked for
    o.radicands = {2, 3};
    o.start.finite = parse_point_list("0,sqrt2,sqrt3");
    CHECK_THROWS_WITH(search_points(o), Catch::Contains("one field"));
    o.start = {};
    o.radicands = {8};
    CHECK_THROWS_WITH(search_points(o), Catch::Contains("square-free"));
    CHECK_THROWS_AS(search_points(small(3, 1)), InputError);
    CHECK_THROWS_AS(search_points(small(max_alpha + 1, 1)), InputError);
}

TEST_CASE("the algebraic domain adds c*sqrt(d) for each field asked for, and a search keeps to one field") {
    const std::vector<Exact> rational = search_domain(), with_roots = search_domain({2, 5});
    CHECK(with_roots.size() == rational.size() + 2 * 2 * 11);  // ±a/b·√d, a, b ≤ 4: 11 reduced values a sign and field
    for (const char* p : {"sqrt2", "-sqrt2/2", "4*sqrt5", "-3*sqrt5/4", "sqrt2/3"})
        CHECK(std::find(with_roots.begin(), with_roots.end(), parse_exact(p, "p")) != with_roots.end());
    CHECK(std::is_sorted(with_roots.begin(), with_roots.end()));

    SearchOptions o = small(6, 2);
    o.radicands = {2, 3};
    o.start.finite = parse_point_list("0");
    const SearchResult r = search_points(o);
    CHECK_NOTHROW(validate_points(r.points, 6));  // one field
    CHECK(r.ops > 0);
}
