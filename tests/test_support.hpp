// Helpers shared by the tests: running the wino-gen binary, random point sets.
#pragma once

#include "generator/points.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace wino::test {

struct RunResult {
    int exit_code;
    std::string out, err;
};

inline std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs `wino-gen <args>` through the shell; args are shell words. Safe to call
// from several threads at once.
inline RunResult run_wino_gen(const std::string& args) {
    static std::atomic<int> serial = 0;
    const std::string base = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/wino-test-" +
                             std::to_string(::getpid()) + "-" + std::to_string(serial++);
    const std::string command = std::string(WINO_GEN_BINARY) + " " + args + " >" + base + ".out 2>" + base + ".err";
    const int status = std::system(command.c_str());
    RunResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(base + ".out"), slurp(base + ".err")};
    std::remove((base + ".out").c_str());
    std::remove((base + ".err").c_str());
    return result;
}

// alpha − 1 distinct rationals a/b with |a| <= 9, 1 <= b <= 9, seeded.
// Distinct points a/b (radicand 1), or a/b + c/e·√radicand with both parts drawn.
inline PointSet random_points(int alpha, std::mt19937& rng, long radicand = 1) {
    std::uniform_int_distribution<int> numer(-9, 9), denom(1, 9);
    PointSet points;
    while (points.finite.size() < static_cast<std::size_t>(alpha - 1)) {
        Exact p = Exact(numer(rng)) / denom(rng);
        if (radicand != 1) p = p + Exact(numer(rng)) / denom(rng) * Exact(0, 1, radicand);
        bool fresh = true;
        for (const Exact& q : points.finite) fresh = fresh && q != p;
        if (fresh) points.finite.push_back(p);
    }
    return points;
}

}  // namespace wino::test
