// `wino-gen selftest`: its configurations cover what the issue names on every
// device, as the device's limits allow; on lavapipe --quick passes both runs
// (here and in a fresh process), and a corrupted output fails it. The full
// selftest is the ctest entry long_selftest_vulkan.
#include "runtime/selftest.hpp"
#include "templates/epilogue.hpp"
#include "templates/layer_plan.hpp"
#include "templates/precision.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace wino;

namespace {

// `narrow`: 16-bit and 8-bit storage, fp16 arithmetic.
DeviceLimits limits_with(bool narrow, bool vendor_gemm) {
    DeviceLimits limits{1024, {65535, 65535, 65535}, 49152};
    limits.half_storage = limits.half_arithmetic = limits.int8_storage = narrow;
    limits.vendor_gemm = vendor_gemm;
    return limits;
}

}  // namespace

TEST_CASE("the selftest covers every variant, m 2/4/6, r 3 and 5, non-square and 1D filters, paddings, epilogues, precisions") {
    const std::vector<SelftestCase> cases = selftest_cases(Backend::cuda, limits_with(true, true), false);
    std::set<Variant> variants_seen;
    std::set<int> tiles_3x3, filters;
    std::set<Activation> activations_seen;
    std::set<Precision> precisions_seen;
    std::set<Pass> passes_seen;
    bool one_d = false, rectangular = false, one_sided = false, batch = false, cublas = false, tails = false;
    std::set<std::string> names;
    for (const SelftestCase& c : cases) {
        INFO(c.name);
        names.insert(c.name);
        variants_seen.insert(c.config.variant);
        passes_seen.insert(c.config.pass);
        // Backward-filter's m is a chunk width (its own cases, test_passes' plan).
        if (c.shape.R == 3 && c.shape.S == 3 && c.config.variant != Variant::direct && c.config.pass != Pass::backward_filter)
            tiles_3x3.insert(c.config.m.h);
        if (c.shape.R == c.shape.S) filters.insert(c.shape.R);
        if (c.config.epilogue.bias) activations_seen.insert(c.config.epilogue.activation);
        precisions_seen.insert(c.config.precision);
        one_d |= c.shape.H == 1 && c.shape.R == 1;
        rectangular |= c.shape.R > 1 && c.shape.S > 1 && c.shape.R != c.shape.S;
        one_sided |= c.shape.pad.top != c.shape.pad.bottom;
        batch |= c.shape.N > 1;
        cublas |= c.config.params[Param::cublas][0] != 0;
        tails |= c.shape.out_h() % c.config.m.h != 0 && c.shape.out_w() % c.config.m.w != 0;
        CHECK_NOTHROW(make_plan(c.shape, c.config, Backend::cuda));  // every case is a layer wino-gen can plan
    }
    CHECK(names.size() == cases.size());  // each configuration once
    CHECK(variants_seen == std::set<Variant>{Variant::fused, Variant::nonfused, Variant::direct});
    CHECK(tiles_3x3 == std::set<int>{2, 4, 6});
    CHECK(filters.count(3));
    CHECK(filters.count(5));
    for (const ActivationSpec& a : activations()) CHECK(activations_seen.count(a.activation));
    for (const PrecisionSpec& p : precisions()) CHECK(precisions_seen.count(p.precision));
    for (const PassSpec& p : passes()) CHECK(passes_seen.count(p.pass));
    CHECK((one_d && rectangular && one_sided && batch && cublas && tails));
}

TEST_CASE("the selftest leaves out what the device lacks, and --quick is a subset of every kind") {
    const DeviceLimits lacking = limits_with(false, false);
    const std::vector<SelftestCase> plain = selftest_cases(Backend::glsl, lacking, false);
    std::set<Precision> precisions_seen;
    for (const SelftestCase& c : plain) {
        INFO(c.name);
        precisions_seen.insert(c.config.precision);
        CHECK(precision_refusal(c.config.precision, lacking).empty());
        CHECK(c.config.params[Param::cublas][0] == 0);
        CHECK(c.config.params[Param::tensor_cores][0] == 0);
    }
    // fp32, and the TF32 and int8-code precisions, which ask nothing of the device off tensor cores.
    CHECK(precisions_seen ==
          std::set<Precision>{Precision::fp32, Precision::tf32, Precision::split_tf32, Precision::int8, Precision::split_int8});
    const std::vector<SelftestCase> all = selftest_cases(Backend::glsl, limits_with(true, false), false),
                                    quick = selftest_cases(Backend::glsl, limits_with(true, false), true);
    CHECK(quick.size() < all.size() / 2);
    std::set<std::string> names;
    for (const SelftestCase& c : all) names.insert(c.name);
    std::set<Variant> quick_variants;
    bool half = false;
    for (const SelftestCase& c : quick) {
        CHECK(names.count(c.name));
        quick_variants.insert(c.config.variant);
        half |= c.config.precision != Precision::fp32;
    }
    CHECK(quick_variants.size() == 3);
    CHECK(half);
}

TEST_CASE("selftest --quick passes on lavapipe under the validation layer, both runs, and prints its table") {
    const test::RunResult r = test::run_wino_gen("selftest --backend vulkan --quick --validation");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("configurations passed both runs"));
    CHECK_THAT(r.out, Catch::Contains("nonfused F(4,3) 2x5x13x11 -> 7, 3x3, pad 1"));
    CHECK_THAT(r.out, Catch::Contains("rel_err"));
    CHECK_THAT(r.out, !Catch::Contains("FAIL"));
}

TEST_CASE("selftest fails a configuration whose output is corrupted, in either run, and says which") {
    const test::RunResult r = test::run_wino_gen("selftest --backend vulkan --quick --corrupt 2 --format json");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("selftest: 1 of"));
    const nlohmann::json out = nlohmann::json::parse(r.out);
    CHECK(out["failed"] == 1);
    CHECK(out["cases"][1]["result"] == "fail");
    CHECK(out["cases"][0]["result"] == "pass");
    for (const nlohmann::json& run : out["cases"][1]["runs"]) {  // here, and in the fresh process
        CHECK(run["rel_err"] == "inf");
        CHECK_THAT(run["failure"].get<std::string>(), Catch::Contains("past the bound"));
    }
}

TEST_CASE("selftest refuses bad flags with exit 2, and a missing device with one line and exit 1") {
    CHECK(test::run_wino_gen("selftest --backend opencl").exit_code == 2);
    CHECK(test::run_wino_gen("selftest --format yaml").exit_code == 2);
    CHECK(test::run_wino_gen("selftest --quick --corrupt 0").exit_code == 2);
    CHECK(test::run_wino_gen("selftest --quick --corrupt 9999").exit_code == 2);
    const test::RunResult missing = test::run_wino_gen("selftest --backend vulkan --device vulkan:7");
    CHECK(missing.exit_code == 1);
    CHECK(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
}

TEST_CASE("on sm_80's tensor cores the selftest runs every tensor-core precision's GEMM on them, int8 and int8-io included") {
    DeviceLimits sm80 = limits_with(true, true);
    sm80.tensor_cores = sm80.tf32_tensor_cores = true;
    sm80.device_class = DeviceClass::gpu;
    std::set<Precision> on_tensor_cores;
    for (const SelftestCase& c : selftest_cases(Backend::cuda, sm80, false))
        if (c.config.params[Param::tensor_cores][0]) {
            INFO(c.name);
            on_tensor_cores.insert(c.config.precision);
            CHECK_NOTHROW(make_plan(c.shape, c.config, Backend::cuda));
        }
    std::set<Precision> expected;
    for (const PrecisionSpec& p : precisions())
        if (p.tensor_core_product()) expected.insert(p.precision);
    CHECK(expected.count(Precision::int8));
    CHECK(expected.count(Precision::int8_io));
    CHECK(on_tensor_cores == expected);
}
