// The layers of tests/data/layer_cases (make_layer_cases.py): each run by
// `wino-gen run` on both Winograd variants from its .npy files and held to
// torch's float64 output. Bias and each activation, 1x7 7x1 3x1 1x3 3x5 5x3 filters,
// a 1D layer, every --pad form, tiles that do not divide the output, N > 1;
// and backward-data and backward-filter of the cases without an epilogue,
// against torch's autograd.
#include "runtime/layer_run.hpp"
#include "runtime/npy.hpp"
#include <wino/conv2d.hpp>
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace wino;
namespace fs = std::filesystem;

namespace {

const fs::path cases_dir = fs::path(WINO_SOURCE_DIR) / "tests/data/layer_cases";

nlohmann::json cases() {
    std::ifstream in(cases_dir / "cases.json");
    REQUIRE(in);
    return nlohmann::json::parse(in);
}

// The cases with gradients (those without an epilogue): name, file base, layer.
struct BackwardCase {
    std::string name, base;
    ConvShape shape;
};
std::vector<BackwardCase> backward_cases() {
    std::vector<BackwardCase> out;
    for (const nlohmann::json& c : cases()) {
        if (!c["backward"].get<bool>()) continue;
        const std::vector<int> l = c["layer"].get<std::vector<int>>();
        out.push_back({c["name"], (cases_dir / c["name"].get<std::string>()).string(),
                       {l[0], l[1], l[2], l[3], l[4], l[5], l[6], Padding(l[7], l[8], l[9], l[10])}});
    }
    return out;
}

struct Errors {
    double relative, max_relative;
};

Errors against(const NpyArray& y, const NpyArray& reference) {
    double diff2 = 0, ref2 = 0, max_diff = 0, max_ref = 0;
    for (std::size_t i = 0; i < y.data.size(); ++i) {
        const double d = std::isfinite(y.data[i]) ? double(y.data[i]) - reference.data[i] : INFINITY;
        diff2 += d * d;
        ref2 += double(reference.data[i]) * reference.data[i];
        max_diff = std::max(max_diff, std::abs(d));
        max_ref = std::max(max_ref, std::abs(double(reference.data[i])));
    }
    return {std::sqrt(diff2 / ref2), max_diff / max_ref};
}

// `wino-gen <args>`, which writes `written`, within its --check bound of
// torch's output in relative L2 and within 1e-5 of its largest value.
void held_to(const std::string& args, const std::string& written, const NpyArray& reference) {
    INFO(args);
    const test::RunResult run = test::run_wino_gen(args);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const NpyArray ours = read_npy(written);
    REQUIRE(ours.shape == reference.shape);
    const Errors e = against(ours, reference);
    const double bound = nlohmann::json::parse(run.out).at("bound").get<double>();
    INFO("rel_err " << e.relative << ", max_rel_err " << e.max_relative << ", bound " << bound);
    CHECK(e.relative <= bound);
    CHECK(e.max_relative <= 1e-5);
}

}  // namespace

TEST_CASE("every layer case matches torch's float64 output: nonfused at tile 4, fused at tile 2", "[sweep]") {
    const fs::path out = fs::temp_directory_path() / fmt::format("wino-layer-cases-{}", ::getpid());
    fs::create_directories(out);
    const nlohmann::json all = cases();
    REQUIRE(all.size() >= 18);
    for (const nlohmann::json& c : all) {
        const std::string name = c["name"], base = (cases_dir / name).string();
        const NpyArray reference = read_npy(base + ".y.npy");
        // The direct kernel's padding and filters are held to the host reference in test_conv2d.
        for (const std::string variant : {"nonfused --m 4", "fused --m 2"}) {
            const std::string y = (out / (name + ".npy")).string();
            const std::string args = fmt::format(
                "run --input {0}.x.npy --weights {0}.w.npy {1} {2} --variant {3} --no-tuning-db --check "
                "--output {4} --format json",
                base, c["bias"].get<bool>() ? fmt::format("--bias {}.b.npy", base) : "", c["flags"].get<std::string>(),
                variant, y);
            held_to(args, y, reference);
        }
    }
    fs::remove_all(out);
}

TEST_CASE("backward-data matches torch autograd's float64 input gradient: every variant at tiles 2 and 4, every padding form") {
    // In this process, through the API (test_cli runs the pass's .npy files through `run`).
    Device device({Backend::glsl});
    int checked = 0;
    for (const auto& [name, base, shape] : backward_cases()) {
        const NpyArray dy = read_npy(base + ".dy.npy"), w = read_npy(base + ".w.npy"), reference = read_npy(base + ".dx.npy");
        for (const auto& [variant, m] : {std::pair{Variant::nonfused, 4}, {Variant::nonfused, 2}, {Variant::fused, 2},
                                        {Variant::fused, 4}, {Variant::direct, 1}}) {
            KernelChoice choice{variant, m};
            choice.pass = Pass::backward_data;
            INFO(name << ", " << to_string(variant) << " m " << m);
            Conv2d conv(device, shape, choice);
            conv.set_filters(w.data);
            std::vector<float> dx;
            conv.run(dy.data, dx);
            const Errors e = against({reference.shape, dx}, reference);
            const double bound = check_bound({variant, conv.choice().m, {}, "", Precision::fp32, {}, Pass::backward_data}, shape);
            INFO("rel_err " << e.relative << ", max_rel_err " << e.max_relative << ", bound " << bound);
            CHECK(e.relative <= bound);
            CHECK(e.max_relative <= 1e-5);
            ++checked;
        }
    }
    CHECK(checked >= 5 * 12);
}

TEST_CASE("backward-filter matches torch autograd's float64 filter gradient: both Winograd variants at chunk widths that do and do not divide W', and the direct kernel") {
    Device device({Backend::glsl});
    int checked = 0;
    for (const auto& [name, base, shape] : backward_cases()) {
        const NpyArray x = read_npy(base + ".x.npy"), dy = read_npy(base + ".dy.npy"), reference = read_npy(base + ".dw.npy");
        // Widths whose F(S, w) is in the recipe database or quick to make on a
        // fresh machine (F(7,9), alpha 15, takes 28 s to make).
        for (const auto& [variant, w] : {std::pair{Variant::nonfused, 2}, {Variant::nonfused, 4}, {Variant::nonfused, 7},
                                        {Variant::fused, 3}, {Variant::fused, 5}, {Variant::direct, 1}}) {
            KernelChoice choice{variant, TileSize(1, std::max(w, 2))};
            choice.pass = Pass::backward_filter;
            INFO(name << ", " << to_string(variant) << " chunk " << w << ", W' " << shape.out_w());
            Conv2d conv(device, shape, choice);
            std::vector<float> dw;
            conv.run(x.data, dy.data, dw);
            const Errors e = against({reference.shape, dw}, reference);
            const double bound = check_bound({variant, conv.choice().m, {}, "", Precision::fp32, {}, Pass::backward_filter}, shape);
            INFO("rel_err " << e.relative << ", max_rel_err " << e.max_relative << ", bound " << bound);
            CHECK(e.relative <= bound);
            // Past alpha 8 (F(7,4), F(7,7) of a 1x7 filter) a tile errs past fp32's 1e-5.
            CHECK(e.max_relative <= (shape.S + w - 1 <= planned_max_alpha ? 1e-5 : bound));
            ++checked;
        }
    }
    CHECK(checked >= 6 * 12);
}
