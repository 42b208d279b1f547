// Search for interpolation points that keep the fp32 error of large tiles low
// (EuroSys'20 §3.1.1). Points come from {a/b : |a| <= 9, 1 <= b <= 9} and, for
// each field Q(√d) asked for, {c·√d : c = ±a/b, a, b <= 4}; a set keeps to one
// field. The root is 0, 1, −1 (or the start set given, which holds 0). A
// size-synchronous beam search adds one point or a ±p pair at a time, screening
// each candidate; the final beam, plus the seed sets given (the published ones),
// is re-ranked, and the recipe op count breaks near ties. The objective is the
// single-tile error (screened on few trials, re-ranked on many with every
// placement of the denominators), or one given, e.g. the layer error model.
#pragma once

#include "recipes/accuracy.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace wino {

struct SearchOptions {
    int alpha = 8, r = 3;
    int trials = 10000;        // final re-rank
    int screen_trials = 400;   // per candidate during the beam
    int beam = 8;
    std::uint64_t seed = 1;
    int threads = 0;           // 0: all cores
    double budget_seconds = 0; // 0: none; past 80% of it the beam narrows to 1
    std::vector<PointSet> seeds;
    PointSet start;            // the beam's root; empty: {0, 1, −1}
    std::vector<long> radicands;  // fields Q(√d) whose points join the domain
    // Lower is better; called on the worker threads with values of their own.
    // Empty: the single-tile error.
    std::function<double(const ToomCook1D&)> objective;
    std::function<void(const std::string&)> progress;
};

struct SearchResult {
    PointSet points;
    FractionsIn fractions_in = FractionsIn::G;
    double error = 0;
    int ops = 0;         // input + filter + output recipe ops; 0 when not computed
    int candidates = 0;  // point sets evaluated
    double seconds = 0;
};

// Throws InputError for alpha outside 4..max_alpha, r outside 1..alpha−1, a
// radicand that is not square-free, or a start set that lacks 0, leaves the
// domain, repeats a point or is full.
SearchResult search_points(const SearchOptions& options);

// The dense-order error of F(m,r) with the points under the best placement of
// the denominators (G, A or B), which is returned in `where`.
double best_placement_error(int m, int r, const PointSet& points, const AccuracyOptions& options,
                            FractionsIn* where = nullptr);

// Puts `found` into the default-points table file (r = 3 entries) as the set
// for its alpha when it measures lower than the current default under
// `options`, with `how` as its record of how it was found; returns the current
// default's error. Throws InputError when the file cannot be read or parsed.
double record_default_points(const std::filesystem::path& table_file, int alpha, const SearchResult& found,
                             const AccuracyOptions& options, const std::string& how);

// The values a/b other than 0 and ±1, then c·√d for each radicand, ascending.
std::vector<Exact> search_domain(const std::vector<long>& radicands = {});

}  // namespace wino
