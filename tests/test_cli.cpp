// The wino-gen command line: outputs, and every bad input gives exit 2 with one
// line on stderr.
#include "generator/build_parts.hpp"
#include "templates/backends.hpp"
#include <wino/conv2d.hpp>
#include <wino/errors.hpp>
#include "recipes/optimizer.hpp"
#include "generator/points.hpp"
#include "tests/test_support.hpp"

#include "runtime/layer_run.hpp"
#include "runtime/npy.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

using wino::test::run_wino_gen;

namespace {

int line_count(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

void require_bad_input(const std::string& args, const std::string& mention) {
    INFO("wino-gen " << args);
    auto result = run_wino_gen(args);
    CHECK(result.exit_code == 2);
    CHECK(line_count(result.err) == 1);
    CHECK(result.err.find(mention) != std::string::npos);
    CHECK(result.out.empty());
}

}  // namespace

TEST_CASE("matrices prints proved text and JSON") {
    auto text = run_wino_gen("matrices --m 4 --r 3");
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("proof: exact") != std::string::npos);
    auto json = run_wino_gen("matrices --m 4 --r 3 --points 0,1,-1,2,-2 --format json");
    REQUIRE(json.exit_code == 0);
    auto j = nlohmann::json::parse(json.out);
    CHECK(j["BT"][0] == nlohmann::json({"4", "0", "-5", "0", "1", "0"}));
    auto nested = run_wino_gen("matrices --m 2 --r 3 --m2 4 --r2 5 --format json");
    REQUIRE(nested.exit_code == 0);
    CHECK(nlohmann::json::parse(nested.out)["w"]["alpha"] == 8);
}

TEST_CASE("the sweep builds and proves the standard configs") {
    auto sweep = run_wino_gen("matrices --sweep");
    CHECK(sweep.exit_code == 0);
    CHECK(sweep.out.find("27 configs") != std::string::npos);
}

TEST_CASE("bad input: one line, exit 2") {
    require_bad_input("matrices --m 2 --r 3 --points 0,1,1", "appears twice");
    require_bad_input("matrices --m 2 --r 3 --points 0,1", "needs 3 finite points");
    require_bad_input("matrices --m 2 --r 3 --points 0,1,abc", "'abc' is not an exact number");
    require_bad_input("matrices --m 2 --r 3 --points 0,1,1/0", "zero denominator");
    require_bad_input("matrices --m 2 --r 3 --points 0,1,2/", "'2/' is not an exact number");
    require_bad_input("matrices --m 0 --r 3", "--m: must be an integer from 1 to 32, not 0");
    require_bad_input("matrices --m 2 --r 0", "--r: must be an integer from 1 to 32, not 0");
    require_bad_input("matrices --m 30 --r 5", "exceeds the maximum");
    require_bad_input("matrices --m 2 --r 3 --format xml", "--format");
    require_bad_input("matrices --m 2 --r 3 --fractions-in C", "--fractions-in");
    require_bad_input("matrices --m 2 --r 3 --bogus", "--bogus");
    require_bad_input("matrices --m two --r 3", "--m");
    require_bad_input("matrices --m 2", "--m and --r");
    require_bad_input("matrices --m 2 --r 3 --m2 3", "--m2 and --r2");
    require_bad_input("matrices --m 2 --r 3 --m2 3 --r2 3 --points2 0,1", "needs 4 finite points");
    require_bad_input("frobnicate", "frobnicate");
}

TEST_CASE("recipe prints JSON per transform and a report") {
    auto all = run_wino_gen("recipe --m 4 --r 3 --format json");
    REQUIRE(all.exit_code == 0);
    auto j = nlohmann::json::parse(all.out);
    for (const char* part : {"input", "filter", "output"}) {
        CHECK(j[part].contains("inputs"));
        CHECK(j[part].contains("outputs"));
        CHECK(j[part].contains("ops"));
        CHECK(j[part]["counts"]["total"].get<int>() > 0);
    }
    auto one = run_wino_gen("recipe --m 2 --r 3 --points 0,1,-1 --transform filter --format json");
    REQUIRE(one.exit_code == 0);
    CHECK(nlohmann::json::parse(one.out)["counts"]["total"] == 4);
    auto report = run_wino_gen("recipe --report");
    CHECK(report.exit_code == 0);
    CHECK(report.out.find("F(10,7)") != std::string::npos);
    CHECK(report.out.find("largest 2D transform reduction") != std::string::npos);
}

TEST_CASE("recipe bad input: one line, exit 2") {
    require_bad_input("recipe --m 4 --r 3 --transform sideways", "--transform");
    require_bad_input("recipe --m 4 --r 3 --format xml", "--format");
    require_bad_input("recipe --m 4", "--m and --r");
    require_bad_input("recipe --m 4 --r 3 --points 0,1,1,2,3", "appears twice");
    require_bad_input("recipe --m 40 --r 3", "--m: must be an integer from 1 to 32, not 40");
    require_bad_input("recipe --m 30 --r 5", "exceeds the maximum");
}

TEST_CASE("accuracy and search answer in JSON") {
    auto acc = run_wino_gen("accuracy --m 2 --r 3 --trials 500 --format json");
    REQUIRE(acc.exit_code == 0);
    auto j = nlohmann::json::parse(acc.out);
    CHECK(j["trials"] == 500);
    CHECK(j["error"].get<double>() > 0);
    CHECK(j["error"].get<double>() < 1e-6);
    CHECK(j.contains("seconds"));
    auto search = run_wino_gen("search --alpha 5 --trials 300 --screen-trials 50 --beam 2 --format json");
    REQUIRE(search.exit_code == 0);
    auto s = nlohmann::json::parse(search.out);
    CHECK(s["points"].size() == 5);
    for (const char* key : {"error", "ops", "candidates", "seconds"}) CHECK(s.contains(key));
    CHECK(search.err.find("re-ranked") != std::string::npos);
    // With the field Q(sqrt 2) and 0 as the only start, the tile objective finds ncnn's F(4,3) points.
    auto algebraic = run_wino_gen("search --alpha 6 --fields 2 --start 0 --beam 4 --trials 2000 --format json");
    REQUIRE(algebraic.exit_code == 0);
    auto a = nlohmann::json::parse(algebraic.out);
    std::vector<std::string> points = a["points"];
    std::sort(points.begin(), points.end());
    CHECK(points == std::vector<std::string>{"-sqrt(2)", "-sqrt(2)/2", "0", "inf", "sqrt(2)", "sqrt(2)/2"});
    CHECK(a["objective"] == "tile");
}

TEST_CASE("accuracy --layer takes the layer's own tensors (--input, --weights), and run's seeded ones as files give the same figures") {
    const std::string dir = "/tmp/wino-accuracy-" + std::to_string(::getpid());
    wino::write_npy(dir + "-x.npy", {{1, 8, 12, 12}, wino::random_tensor(1152, 1)});
    wino::write_npy(dir + "-w.npy", {{4, 8, 3, 3}, wino::random_tensor(288, 2)});
    const std::string layer = "accuracy --layer 1,8,12,12,4 --pad 1 --m 4 --format json", files = " --input " + dir + "-x.npy --weights " + dir + "-w.npy";
    const auto rel_err = [](const std::string& args) {
        auto out = run_wino_gen(args);
        REQUIRE(out.exit_code == 0);
        return nlohmann::json::parse(out.out)["rel_err"].get<double>();
    };
    for (const std::string precision : {"fp32", "int8", "int8-io"}) {
        INFO(precision);
        CHECK(rel_err(layer + " --precision " + precision + files) == rel_err(layer + " --precision " + precision));
    }
    auto named = run_wino_gen(layer + " --precision int8" + files);
    REQUIRE(named.exit_code == 0);
    CHECK(nlohmann::json::parse(named.out)["input"] == dir + "-x.npy");
    CHECK(nlohmann::json::parse(named.out)["weights"] == dir + "-w.npy");
    CHECK_FALSE(nlohmann::json::parse(run_wino_gen(layer).out).contains("input"));
    // Other values, other figures: the input rectified, as a ReLU's output is.
    std::vector<float> rectified = wino::random_tensor(1152, 1);
    for (float& v : rectified) v = std::max(v, 0.0f);
    wino::write_npy(dir + "-relu.npy", {{1, 8, 12, 12}, rectified});
    CHECK(rel_err(layer + " --precision int8 --input " + dir + "-relu.npy") != rel_err(layer + " --precision int8"));
    require_bad_input(layer + " --input " + dir + "-w.npy", "-w.npy has shape 4x8x3x3, the layer's x is N,C,H,W = 1x8x12x12");
    require_bad_input(layer + " --weights " + dir + "-x.npy", "-x.npy has shape 1x8x12x12, the layer's w is K,C,R,S = 4x8x3x3");
    require_bad_input(layer + " --pass backward-data --weights " + dir + "-w.npy",
                      "--input and --weights are the forward pass's x and w, not --pass backward-data's tensors");
    require_bad_input(layer + " --input " + dir + "-missing.npy", "-missing.npy");
    wino::write_npy(dir + "-codes.npy", {{1, 8, 12, 12}, std::vector<float>(1152, 1.0f), wino::ElementType::int8});
    require_bad_input(layer + " --precision int8-io --input " + dir + "-codes.npy", "int8 codes, not real values");
    for (const char* name : {"-x", "-w", "-relu", "-codes"}) std::filesystem::remove(dir + name + ".npy");
}

TEST_CASE("accuracy and search bad input: one line, exit 2") {
    require_bad_input("accuracy --m 4 --r 3 --points 0,1,1,2,-2", "appears twice");
    require_bad_input("accuracy --m 4 --r 3 --trials 0", "--trials");
    require_bad_input("accuracy --m 4 --r 3 --order sideways", "--order");
    require_bad_input("search --alpha 6 --start 0,1,-1,11", "outside the search domain");
    require_bad_input("search --alpha 6 --start 0,1,-1,1/2,1/2", "appears twice");
    require_bad_input("search --alpha 6 --fields 4", "square-free");
    require_bad_input("search --alpha 6 --fields 2,3 --start 0,sqrt2,sqrt3", "one field");
    require_bad_input("search --alpha 6 --objective speed", "--objective must be tile or layer");
    require_bad_input("search --alpha 6 --objective layer --record", "--record keeps the table of the tile objective");
    require_bad_input("search --alpha 99", "--alpha");
}

TEST_CASE("run checks a layer on Vulkan and reads and writes npy files", "[vulkan]") {
    auto json = run_wino_gen("run --input-shape 1,3,10,10 --filters 4 --pad 1 --check --validation --format json");
    REQUIRE(json.exit_code == 0);
    auto j = nlohmann::json::parse(json.out);
    CHECK(j["backend"] == "vulkan");
    CHECK(j["rel_err"].get<double>() < 1e-5);
    CHECK(j.contains("max_abs_err"));
    CHECK(j["device"].get<std::string>().rfind("vulkan:0", 0) == 0);
    const std::string dir = "/tmp/wino-run-" + std::to_string(::getpid());
    REQUIRE(run_wino_gen("run --input-shape 1,3,10,10 --filters 4 --pad 1 --output " + dir + "/y.npy").exit_code == 0);
    auto again = run_wino_gen("run --input " + dir + "/y.npy --filters 2 --r 3 --check --variant nonfused --format json");
    REQUIRE(again.exit_code == 0);
    CHECK(nlohmann::json::parse(again.out)["rel_err"].get<double>() < 1e-5);
    auto bench = run_wino_gen("run --input-shape 1,8,12,12 --filters 8 --pad 1 --bench --baseline direct --repeats 2 --format json");
    REQUIRE(bench.exit_code == 0);
    for (const char* key : {"time_ms", "baseline_ms", "speedup"}) CHECK(nlohmann::json::parse(bench.out).contains(key));
    require_bad_input("run --input " + dir + "/y.npy --input-shape 1,5,10,10 --filters 2", "does not match");
    require_bad_input("run --input-shape 1,4,10,10 --weights " + dir + "/y.npy", "the layer's w is K,C,R,S");
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("run bad input: one line, exit 2", "[vulkan]") {
    require_bad_input("run --input-shape 1,8,10,10 --filters 8 --r 1", "a 1x1 filter is not Winograd");
    REQUIRE(run_wino_gen("run --input-shape 1,8,10,10 --filters 8 --r 1 --variant direct --check").exit_code == 0);
    require_bad_input("run --input-shape 1,3,10 --filters 4", "--input-shape");
    require_bad_input("run --input-shape 1,3,10,10", "--filters");
    require_bad_input("run --input-shape 1,3,2,2 --filters 4 --r 5", "leaves no output");
    require_bad_input("run --input-shape 1,3,8,8 --filters 4 --variant spiral", "--variant");
    require_bad_input("run --input-shape 1,3,8,8 --filters 4 --device gpu:0", "--device");
    require_bad_input("run --input /nonexistent.npy --filters 4", "cannot read");
    require_bad_input("run --input-shape 1,3,8,8 --filters 4 --variant nonfused --gemm-registers 6,4", "multiples of 4");
    require_bad_input("run --input-shape 1,3,8,8 --filters 4 --transform-tiles 3", "1 or 4");
    require_bad_input("run --input-shape 1,3,8,8 --filters 4 --workgroup-size -2", "from 1 to 1024");
    require_bad_input("run --input-shape 1,3,8,8 --filters 4 --unroll 0", "--unroll");
    // Numbers past their range or past 64 bits, never wrapped or truncated.
    require_bad_input("run --input-shape 1,1,8,8 --filters 1 --pad 2147483647", "--pad must be an integer from 0 to 65536");
    require_bad_input("run --input-shape 4294967297,1,8,8 --filters 1", "--input-shape's N");
    require_bad_input("run --input-shape 1,1,4294967304,8 --filters 1", "--input-shape's H");
    require_bad_input("run --input-shape 1,1,99999999999999999999999,8 --filters 1", "--input-shape's H");
    require_bad_input("run --input-shape 1,1,8,8 --filters 99999999999999999999", "--filters");
    require_bad_input("run --input-shape 1,1,8,8 --filters 1 --device vulkan:99999999", "--device");
    // Unbounded parameters are bounded, and refused at once.
    require_bad_input("run --input-shape 1,1,8,8 --filters 1 --gemm-registers 64,64", "more than 256");
    require_bad_input("emit --backend glsl --gemm-registers 1000000,4 --out /tmp/never", "--gemm-registers");
    require_bad_input("run --input-shape 1,1,8,8 --filters 1 --gemm-threads 64,32", "more than the 1024");
    require_bad_input("run --input-shape 1,1,8,8 --filters 1 --workgroup-size 0", "--workgroup-size");
    require_bad_input("run --input-shape 1,1,8,8 --filters 1 --repeats 0", "--repeats");
    require_bad_input("run --input-shape 1,1,8,8 --filters 1 --warmup -1", "--warmup");
    require_bad_input("accuracy --m 4 --r 3 --threads 100000", "--threads");
    require_bad_input("search --alpha 6 --threads 100000", "--threads");
    require_bad_input("recipe --write-db /tmp/never --threads 0", "--threads");
    require_bad_input("matrices --m 2147483647 --r 2", "--m: must be an integer from 1 to 32, not 2147483647");
    require_bad_input("matrices --m 30 --r 7", "alpha = m + r - 1 = 36 exceeds the maximum 32");
    require_bad_input("run --input-shape 1,1,8,8 --filters 1 --seed 999999999999999999999999", "--seed: must be an integer");
    require_bad_input("accuracy --m 4 --r 3 --trials 1e3", "--trials: must be an integer");
    // Checked before any work or output.
    require_bad_input("accuracy --growth --r 3 --max-alpha 100", "--max-alpha");
    require_bad_input("search --alpha 6 --budget-seconds nan", "--budget-seconds: must be a number of seconds");
    require_bad_input("search --alpha 6 --budget-seconds inf", "--budget-seconds: must be a number of seconds");
    require_bad_input("recipe --write-db /proc/never", "cannot write into /proc/never");
    require_bad_input("emit --backend glsl --out /proc/never", "cannot write into /proc/never");
}

// Each optional part: what needs it, run in this build. Without the part, one
// line naming it and its CMake option, exit 2; with it, no such refusal.
TEST_CASE("a subcommand that needs a part the build leaves out names the part and its option, exit 2") {
    const std::string dir = "/tmp/wino-parts-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/layers.txt") << "a 1 4 8 8 4 3 1\n";
    std::ofstream(dir + "/tuning.db") << "";
    const struct {
        wino::Part part;
        std::string args, refusal;
    } needs[] = {
        {wino::Part::vulkan, "run --input-shape 1,4,8,8 --filters 4 --check", "--backend vulkan needs wino-gen's Vulkan part"},
        {wino::Part::vulkan, "selftest --quick", "--backend vulkan needs wino-gen's Vulkan part"},
        {wino::Part::cuda, "run --backend cuda --input-shape 1,4,8,8 --filters 4", "--backend cuda needs wino-gen's CUDA part"},
        {wino::Part::tuner, "tune --input-shape 1,8,8,8 --filters 8 --r 1 --budget-seconds 1 --db " + dir + "/t.db", "tune needs wino-gen's tuner part"},
        {wino::Part::tuner, "emit --backend cuda --layers " + dir + "/layers.txt --registry-unit u --db " + dir + "/tuning.db --out " + dir,
         "a tuning database needs wino-gen's tuner part"},
    };
    for (const auto& need : needs) {
        const wino::PartSpec& part = wino::spec_of(need.part);
        INFO("wino-gen " << need.args << (part.built ? " (built)" : " (left out)"));
        const auto result = run_wino_gen(need.args);
        if (part.built) {
            CHECK(result.err.find(fmt::format("needs wino-gen's {} part", part.name)) == std::string::npos);
        } else {
            require_bad_input(need.args, need.refusal);
            CHECK(result.err.find(fmt::format("-D{}=ON", part.option)) != std::string::npos);
        }
    }
    if (wino::spec_of(wino::Part::cuda).built)  // with no CUDA device here: the driver's answer, exit 1
        for (const char* graphs : {"", " --cuda-graphs"}) {
            auto cuda = run_wino_gen(std::string("run --backend cuda --input-shape 1,3,8,8 --filters 4") + graphs);
            CHECK(cuda.exit_code == 1);
            CHECK(cuda.err.rfind("wino-gen: no CUDA device", 0) == 0);
            CHECK(line_count(cuda.err) == 1);
        }
    if (wino::spec_of(wino::Part::vulkan).built)
        require_bad_input("run --backend vulkan --cuda-graphs --input-shape 1,3,8,8 --filters 4",
                          "--cuda-graphs launches CUDA graphs: not for --backend vulkan");
    std::filesystem::remove_all(dir);
}

TEST_CASE("run --check fails with exit 1 past the bound or on a non-finite output", "[vulkan]") {
    const std::string dir = "/tmp/wino-check-" + std::to_string(::getpid());
    std::system(("mkdir -p " + dir).c_str());
    // A 1x2x6x6 float32 input with one NaN.
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 6, 6), }";
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::string file = std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + '\0' + header;
    std::vector<float> values(72, 0.5f);
    values[5] = std::numeric_limits<float>::quiet_NaN();
    file.append(reinterpret_cast<const char*>(values.data()), values.size() * 4);
    std::ofstream(dir + "/nan.npy", std::ios::binary) << file;
    auto failed = run_wino_gen("run --input " + dir + "/nan.npy --filters 2 --pad 1 --check --no-tuning-db --format json");
    CHECK(failed.exit_code == 1);
    CHECK(line_count(failed.err) == 1);
    CHECK(failed.err.find("check failed: rel_err nan is past the bound") != std::string::npos);
    CHECK(nlohmann::json::parse(failed.out)["check"] == "fail");
    auto passed = run_wino_gen("run --input-shape 1,2,6,6 --filters 2 --pad 1 --check --no-tuning-db --format json");
    CHECK(passed.exit_code == 0);
    const auto out = nlohmann::json::parse(passed.out);
    CHECK(out["check"] == "pass");
    CHECK(out["rel_err"].get<double>() <= out["bound"].get<double>());
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("emit writes readable kernel files atomically") {
    const std::string dir = "/tmp/wino-emit-" + std::to_string(::getpid());
    auto emitted = run_wino_gen("emit --backend glsl --m 4 --r 3 --variant nonfused --unroll 2 --out " + dir);
    REQUIRE(emitted.exit_code == 0);
    CHECK(std::count(emitted.out.begin(), emitted.out.end(), '\n') == 4);
    CHECK(wino::test::slurp(dir + "/wino_f4_3_gemm_t1x8_r16x8.comp").find("#version 450") != std::string::npos);
    require_bad_input("emit --backend metal --m 4 --r 3", "--backend");
    require_bad_input("emit --backend glsl --m 4 --r 3 --unroll zero", "--unroll");
    // the tuning flags of run, with the same checks
    REQUIRE(run_wino_gen("emit --backend glsl --gemm-registers 8,12 --transform-tiles 1 --out " + dir).exit_code == 0);
    CHECK(wino::test::slurp(dir + "/wino_f4_3_gemm_t1x8_r8x12.comp").find("gemm_registers 8x12") != std::string::npos);
    CHECK(wino::test::slurp(dir + "/wino_f4_3_input_transform_ufull_wg64_tt1.comp").find("transform_tiles 1") !=
          std::string::npos);
    require_bad_input("emit --backend glsl --gemm-registers 6,8", "multiples of 4");
    require_bad_input("emit --backend cuda --gemm-threads 0,2", "--gemm-threads");
    // GLSL for a GPU starts from the GPU's parameters, CUDA for lavapipe-like devices from the CPU's.
    REQUIRE(run_wino_gen("emit --backend glsl --device-class gpu --out " + dir).exit_code == 0);
    CHECK(std::filesystem::exists(dir + "/wino_f4_3_gemm_t2x32_r8x8.comp"));
    CHECK(std::filesystem::exists(dir + "/wino_f4_3_input_transform_ufull_wg64_tt1.comp"));
    REQUIRE(run_wino_gen("emit --backend cuda --device-class cpu --out " + dir).exit_code == 0);
    CHECK(std::filesystem::exists(dir + "/wino_f4_3_gemm_t1x8_r16x8.cu"));
    require_bad_input("emit --backend glsl --device-class tpu", "--device-class must be cpu or gpu, not 'tpu'");
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("emit --registry-unit writes the unit and its SPIR-V list, and --layers one set per distinct layer config") {
    const std::string dir = "/tmp/wino-unit-" + std::to_string(::getpid());
    REQUIRE(run_wino_gen("emit --backend glsl --m 2 --r 3 --variant fused --registry-unit f2_3 --out " + dir).exit_code == 0);
    const std::string unit = wino::test::slurp(dir + "/f2_3.cpp");
    CHECK(unit.find("extern const std::span<const wino::KernelSet> f2_3_sets = sets;") != std::string::npos);
    CHECK(unit.find("{\"wino_f2_3_fused_ufull_wg64_f16x8_fr2x2_fx9\", wino::Backend::glsl, wino::Variant::fused, {2, 2}, 3, 3,") !=
          std::string::npos);
    CHECK(wino::test::slurp(dir + "/f2_3.spirv.txt") ==
          "wino_f2_3_filter_transform_ufull_wg64.comp wino_f2_3_filter_transform_ufull_wg64.spv.h "
          "wino_f2_3_filter_transform_ufull_wg64_spirv\n"
          "wino_f2_3_fused_ufull_f16x8_fr2x2_fx9.comp wino_f2_3_fused_ufull_f16x8_fr2x2_fx9.spv.h wino_f2_3_fused_ufull_f16x8_fr2x2_fx9_spirv\n");
    {
        std::ofstream layers(dir + "/layers.txt");
        layers << "a 1 8 12 12 8 3 1\nb 2 8 12 12 8 3 1\nc 1 4 9 9 4 5 2\n";
    }
    REQUIRE(run_wino_gen("emit --backend cuda --layers " + dir + "/layers.txt --registry-unit net --out " + dir).exit_code == 0);
    const std::string net = wino::test::slurp(dir + "/net.cpp");
    CHECK(net.find("{{1, 8, 12, 12, 8, 3, 3, {1, 1, 1, 1}}, &sets[0]}") != std::string::npos);
    CHECK(net.find("{{2, 8, 12, 12, 8, 3, 3, {1, 1, 1, 1}}, &sets[0]}") != std::string::npos);  // the same untuned set, made once
    CHECK(net.find("{{1, 4, 9, 9, 4, 5, 5, {2, 2, 2, 2}}, &sets[1]}") != std::string::npos);
    CHECK(wino::test::slurp(dir + "/net.spirv.txt").empty());  // CUDA sets carry their source
    require_bad_input("emit --backend glsl --registry-unit 9lives --out " + dir, "registry unit's name must be a C identifier");
    require_bad_input("emit --backend glsl --layers " + dir + "/layers.txt --out " + dir, "--layers needs --registry-unit");
    require_bad_input("emit --backend glsl --db x.db --out " + dir, "--db, --device-name and --max-error need --layers");
    require_bad_input("emit --backend glsl --layers " + dir + "/layers.txt --registry-unit u --db " + dir + "/none.db --out " + dir,
                      wino::spec_of(wino::Part::tuner).built ? "none.db" : "needs wino-gen's tuner part");
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("precision on run and emit: 16-bit buffers named in the kernels, checked, refused where meaningless", "[vulkan]") {
    const std::string dir = "/tmp/wino-precision-" + std::to_string(::getpid());
    auto run = run_wino_gen("run --input-shape 2,6,11,9 --filters 5 --pad 1 --precision fp16-storage --check --format json");
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["precision"] == "fp16-storage");
    CHECK(j["config"]["precision"] == "fp16-storage");
    CHECK(j["kernel_set"].get<std::string>().find("_hs_") != std::string::npos);
    CHECK(j["check"] == "pass");
    CHECK(j["rel_err"].get<double>() < 1e-2);
    CHECK(j["rel_err"].get<double>() > 1e-5);  // 16-bit, not 32-bit, buffers
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --precision fp8", "--precision must be fp32, fp16-storage, fp16, fp16-storage-io, fp16-io, fp16-mixed, tf32, split-tf32, int8, int8-io, split-int8 or split-int8-io");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --variant direct --precision fp16-storage", "no intermediates");

    REQUIRE(run_wino_gen("emit --backend glsl --m 4 --r 3 --precision fp16-storage --registry-unit h --out " + dir).exit_code == 0);
    const std::string gemm = wino::test::slurp(dir + "/wino_f4_3_gemm_hs_t1x8_r16x8.comp");
    CHECK(gemm.find("// Precision fp16-storage") != std::string::npos);
    CHECK(gemm.find("f16vec4 product[]") != std::string::npos);
    CHECK(wino::test::slurp(dir + "/h.cpp").find("wino::Precision::fp16_storage") != std::string::npos);
    // emit makes the recipes run's plan makes at this precision: the balanced ones.
    wino::OptimizerOptions balanced;
    balanced.balanced = true;
    const wino::RecipeSet recipes = wino::optimize_recipes(wino::build_toom_cook(4, 3, wino::default_points(6)), balanced);
    const wino::OpCounts in = recipes.input.counts();
    CHECK(wino::test::slurp(dir + "/wino_f4_3_input_transform_hs_ufull_wg64_tt4.comp")
              .find(fmt::format("input {}/{}/{},", in.add, in.mul, in.fma)) != std::string::npos);
    REQUIRE(run_wino_gen("emit --backend cuda --m 4 --r 3 --precision fp16-storage --out " + dir).exit_code == 0);
    CHECK(wino::test::slurp(dir + "/wino_f4_3_input_transform_hs_ufull_wg64_tt1.cu").find("wino_half* __restrict__ v") !=
          std::string::npos);
    require_bad_input("emit --backend glsl --m 4 --r 3 --variant direct --precision fp16-storage --out " + dir, "no intermediates");

    // fp16: fp16 arithmetic, conversions asked to round to nearest even, constants rounded once from their exact value.
    auto fp16_run = run_wino_gen("run --input-shape 2,6,11,9 --filters 5 --pad 1 --precision fp16 --check --format json");
    REQUIRE(fp16_run.exit_code == 0);
    const auto h = nlohmann::json::parse(fp16_run.out);
    CHECK(h["kernel_set"].get<std::string>().find("_h_") != std::string::npos);
    CHECK(h["check"] == "pass");
    CHECK(h["rel_err"].get<double>() < 2e-2);
    REQUIRE(run_wino_gen("emit --backend glsl --m 4 --r 3 --precision fp16 --out " + dir).exit_code == 0);
    const std::string input = wino::test::slurp(dir + "/wino_f4_3_input_transform_h_ufull_wg64_tt4.comp");
    CHECK(input.find("// Precision fp16:") != std::string::npos);
    CHECK(input.find("#define REAL float16_t") != std::string::npos);
    CHECK(input.find("capabilities = [4467], 4462, 16") != std::string::npos);
    // sqrt(2)/8 (a balanced recipe's) as the fp16 nearest to it, 0.1767578125, held exactly by the float literal.
    CHECK(input.find("float16_t(0.17675781) /* sqrt(2)/8 */") != std::string::npos);
    REQUIRE(run_wino_gen("emit --backend cuda --m 4 --r 3 --precision fp16 --out " + dir).exit_code == 0);
    CHECK(wino::test::slurp(dir + "/wino_f4_3_input_transform_h_ufull_wg64_tt1.cu").find("wino_f16_bits(0x31a8) /* sqrt(2)/8") !=
          std::string::npos);
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --variant direct --precision fp16", "computes in fp32");

    // The _io precisions: binary16 tensors, read from and written to float16 .npy; the direct kernel takes them too.
    for (const char* variant : {"nonfused", "direct"}) {
        auto io = run_wino_gen(fmt::format("run --input-shape 2,6,11,9 --filters 5 --pad 1 --variant {} --precision "
                                           "fp16-storage-io --check --format json --output {}-{}.npy",
                                           variant, dir, variant));
        REQUIRE(io.exit_code == 0);
        const auto k = nlohmann::json::parse(io.out);
        CHECK(k["kernel_set"].get<std::string>().find("_hsio") != std::string::npos);
        CHECK(k["check"] == "pass");
        const std::string npy = wino::test::slurp(fmt::format("{}-{}.npy", dir, variant));
        CHECK(npy.find("'descr': '<f2'") != std::string::npos);
        CHECK(npy.size() == 128 + 2 * 5 * 11 * 9 * 2);
        // The float16 output read back as the input of a float32 run: its values exactly.
        CHECK(run_wino_gen(fmt::format("run --input {}-{}.npy --filters 3 --pad 1 --check", dir, variant)).exit_code == 0);
    }
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --variant direct --precision fp16-io", "fp16-storage-io");

    // Tuned at fp16-storage: run at that precision takes the result, run at fp32 does not.
    const std::string db = " --db " + dir + "/h.db";
    auto tuned = run_wino_gen("tune --input-shape 1,8,10,10 --filters 8 --pad 1 --precision fp16-storage --budget-seconds 1 "
                              "--format json" + db);
    REQUIRE(tuned.exit_code == 0);
    CHECK(nlohmann::json::parse(tuned.out)["layers"][0]["config"]["precision"] == "fp16-storage");
    auto half_run = run_wino_gen("run --input-shape 1,8,10,10 --filters 8 --pad 1 --precision fp16-storage --format json" + db);
    REQUIRE(half_run.exit_code == 0);
    CHECK(nlohmann::json::parse(half_run.out)["tuning"] == "exact");
    auto full_run = run_wino_gen("run --input-shape 1,8,10,10 --filters 8 --pad 1 --format json" + db);
    REQUIRE(full_run.exit_code == 0);
    CHECK(nlohmann::json::parse(full_run.out)["tuning"] == "none");
    CHECK(nlohmann::json::parse(full_run.out)["precision"] == "fp32");
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("split-int8 on run and accuracy: exact-bound clips by default, checked against its model, far under int8 direct's error",
          "[vulkan]") {
    auto own = run_wino_gen("run --input-shape 1,6,10,10 --filters 5 --pad 1 --m 4 --precision split-int8 --check --format json");
    REQUIRE(own.exit_code == 0);
    const auto j = nlohmann::json::parse(own.out);
    CHECK(j["precision"] == "split-int8");
    CHECK(j["kernel_set"].get<std::string>().find("_i8x3") != std::string::npos);
    CHECK(j["clips"]["source"].get<std::string>().rfind("exact bound for |x| <= ", 0) == 0);
    CHECK(j["check"] == "pass");
    CHECK(j["rel_err"].get<double>() > 1e-6);
    CHECK(j["rel_err"].get<double>() < 1e-3);
    auto accuracy = run_wino_gen("accuracy --layer 1,16,12,12,8 --pad 1 --m 4 --precision split-int8 --format json");
    REQUIRE(accuracy.exit_code == 0);
    const auto a = nlohmann::json::parse(accuracy.out);
    CHECK(a["ratio_to_int8_direct"].get<double>() < 0.5);
    // A plane's sums: 4 words of 4 lanes, high·low + low·high, 2·127·128, a lane.
    CHECK(a["stages"]["product"]["sum_bound"].get<double>() == 16.0 * 2 * 127 * 128);
    require_bad_input("run --input-shape 1,6,10,10 --filters 5 --precision split-int8 --variant fused",
                      "precision split-int8 runs the nonfused variant");
    // With int8 tensors: the output's coding is then most of the error, under int8 direct's with its output coded.
    auto coded = run_wino_gen("accuracy --layer 1,16,12,12,8 --pad 1 --m 4 --precision split-int8-io --format json");
    REQUIRE(coded.exit_code == 0);
    const auto c = nlohmann::json::parse(coded.out);
    CHECK(c["ratio_to_int8_direct"].get<double>() < 1);
    CHECK(c["rel_err"].get<double>() < 1.05 * c["stages"]["tensor_coding"]["rel_err"].get<double>());
    auto io = run_wino_gen("run --input-shape 1,6,10,12 --filters 5 --pad 1 --m 4 --precision split-int8-io --output-scale 0.05 --check "
                           "--format json");
    REQUIRE(io.exit_code == 0);
    CHECK(nlohmann::json::parse(io.out)["check"] == "pass");
}

TEST_CASE("int8 on run: clips calibrated on the input, on a calibration file or given, checked against the int8 model, bad clips in one line", "[vulkan][tuner]") {
    const std::string dir = "/tmp/wino-int8-" + std::to_string(::getpid());
    auto own = run_wino_gen("run --input-shape 1,6,10,10 --filters 5 --pad 1 --m 2 --precision int8 --check --validation --format json");
    REQUIRE(own.exit_code == 0);
    const auto j = nlohmann::json::parse(own.out);
    CHECK(j["precision"] == "int8");
    CHECK(j["kernel_set"].get<std::string>().find("_i8") != std::string::npos);
    CHECK(j["config"]["integer_dot"] == true);  // lavapipe has the dot product: on without tuning or a flag
    CHECK(j["clips"]["source"] == "percentile 99.9 of 1 inputs (the input run)");
    CHECK(j["clips"]["taps"].size() == 16);
    CHECK(j["check"] == "pass");
    CHECK(j["rel_err"].get<double>() > 1e-4);  // 8 bits
    CHECK(j["rel_err"].get<double>() < 0.1);
    // A calibration set: 3 images of the layer's C,H,W, written by an fp32 run.
    REQUIRE(run_wino_gen("run --input-shape 3,2,10,10 --filters 6 --pad 1 --output " + dir + "/calibration.npy").exit_code == 0);
    auto calibrated = run_wino_gen("run --input-shape 1,6,10,10 --filters 5 --pad 1 --precision int8 --calibrate " + dir +
                                   "/calibration.npy --calibration mse --check --format json");
    REQUIRE(calibrated.exit_code == 0);
    CHECK(nlohmann::json::parse(calibrated.out)["clips"]["source"] == "least squared error of 1 inputs");
    auto given = run_wino_gen("run --input-shape 1,6,10,10 --filters 5 --pad 1 --m 2 --precision int8 --clip 1,2.5,0.8 --check --format json");
    REQUIRE(given.exit_code == 0);
    const auto g = nlohmann::json::parse(given.out);
    CHECK(g["clips"]["taps"][7].get<double>() == 2.5);
    CHECK(g["clips"]["weights"].get<double>() == Approx(0.8));
    auto bound = run_wino_gen("run --input-shape 1,6,10,10 --filters 5 --pad 1 --m 2 --precision int8 --clip 1,0,0 --check");
    REQUIRE(bound.exit_code == 0);
    CHECK(bound.out.find("int8 clips: exact bound for |x| <= 1") != std::string::npos);
    require_bad_input("run --input-shape 1,6,10,10 --filters 5 --precision int8 --clip 1,2", "--clip must be c,αta,αtw");
    require_bad_input("run --input-shape 1,6,10,10 --filters 5 --precision int8 --clip 1,x,0", "--clip must be c,αta,αtw");
    require_bad_input("run --input-shape 1,6,10,10 --filters 5 --precision int8 --clip 0,0,0", "--clip must be c,αta,αtw");
    require_bad_input("run --input-shape 1,6,10,10 --filters 5 --clip 1,1,0", "--clip and --calibrate are for --precision int8");
    require_bad_input("run --input-shape 1,6,10,10 --filters 5 --precision int8 --calibration max", "--calibration must be exact-bound, percentile or mse, not 'max'");
    require_bad_input("run --input-shape 1,7,10,10 --filters 5 --precision int8 --calibrate " + dir + "/calibration.npy",
                      "calibration needs images of the layer's C,H,W");
    require_bad_input("run --input-shape 1,6,10,10 --filters 5 --precision int8 --variant fused", "precision int8 runs the nonfused variant");
    require_bad_input("tune --input-shape 1,6,10,10 --filters 5 --clip 1,1,0", "--clip and --calibrate are for --precision int8");
    require_bad_input("tune --input-shape 1,6,10,10 --filters 5 --precision int8 --calibration max", "--calibration must be");
    // emit has no inputs to calibrate on: given clips, carried by the registry unit's set.
    require_bad_input("emit --backend glsl --m 4 --precision int8 --out " + dir, "F(4,3): precision int8 needs clips: give --clip c,αta,αtw");
    require_bad_input("emit --backend glsl --m 4 --precision int8 --calibrate x.npy --out " + dir, "The following argument");
    REQUIRE(run_wino_gen("emit --backend glsl --m 2 --precision int8 --clip 1,0,0.5 --registry-unit clipped --out " + dir).exit_code == 0);
    std::ifstream unit(dir + "/clipped.cpp");
    const std::string text((std::istreambuf_iterator<char>(unit)), std::istreambuf_iterator<char>());
    // F(2,3)'s input transform has |row| sums 2: each tap's exact bound for |x| <= 1 is 2 x 2.
    CHECK(text.find("set0_clip_taps[] = {4.0f, 4.0f, 4.0f, 4.0f, 4.0f, 4.0f") != std::string::npos);
    CHECK(text.find("set0_clip_taps, 0.5f, \"exact bound for |x| <= 1\"}") != std::string::npos);
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("int8-io on run: int8 .npy codes in and out at given or data scales, checked on the real values, bad scales in one line", "[vulkan]") {
    const std::string dir = "/tmp/wino-int8io-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    // Without scales: the input's and the reference output's own, zero points 0.
    auto own = run_wino_gen("run --input-shape 1,6,10,12 --filters 5 --pad 1 --precision int8-io --check --validation --format json --output " +
                            dir + "/y.npy");
    REQUIRE(own.exit_code == 0);
    const auto j = nlohmann::json::parse(own.out);
    CHECK(j["precision"] == "int8-io");
    CHECK(j["kernel_set"].get<std::string>().find("_i8io") != std::string::npos);
    CHECK(j["check"] == "pass");
    CHECK(j["quantization"]["input_zero_point"] == 0);
    CHECK(j["quantization"]["input_scale"].get<double>() == Approx(1.0 / 127).epsilon(0.01));  // inputs uniform in [-1, 1)
    const wino::NpyArray y = wino::read_npy(dir + "/y.npy");
    CHECK(y.type == wino::ElementType::int8);
    CHECK(y.shape == std::vector<long long>{1, 5, 10, 12});
    CHECK(std::abs(*std::max_element(y.data.begin(), y.data.end(), [](float a, float b) { return std::abs(a) < std::abs(b); })) ==
          Approx(127).margin(1));  // the output's own scale: its largest value codes to ±127
    // Codes from a file, with their scale and zero point; the output at given ones.
    wino::NpyArray x{{1, 6, 10, 12}, {}, wino::ElementType::int8};
    for (int i = 0; i < 720; ++i) x.data.push_back(static_cast<float>(i * 37 % 241 - 120));
    wino::write_npy(dir + "/x.npy", x);
    auto coded = run_wino_gen("run --filters 5 --pad 1 --precision int8-io --input " + dir +
                              "/x.npy --input-scale 0.01 --input-zero-point 4 --output-scale 0.05 --output-zero-point -3 --check --format json");
    REQUIRE(coded.exit_code == 0);
    const auto c = nlohmann::json::parse(coded.out);
    CHECK(c["check"] == "pass");
    CHECK(c["quantization"]["output_scale"].get<double>() == Approx(0.05));
    CHECK(c["quantization"]["output_zero_point"] == -3);
    auto text = run_wino_gen("run --input-shape 1,6,10,12 --filters 5 --pad 1 --precision int8-io --output-scale 0.05");
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("int8 input scale 0.007") && Catch::Contains("output scale 0.05 zero point 0"));
    // int8 weights at their w_scale (one, or one a filter), as fp32 filters.
    wino::NpyArray w{{5, 6, 3, 3}, {}, wino::ElementType::int8};
    for (int i = 0; i < 270; ++i) w.data.push_back(static_cast<float>(i * 53 % 255 - 127));
    wino::write_npy(dir + "/w.npy", w);
    auto weights = run_wino_gen("run --input-shape 1,6,10,12 --pad 1 --precision int8-io --weights " + dir +
                                "/w.npy --weight-scale 0.01,0.02,0.01,0.03,0.01 --check --format json");
    REQUIRE(weights.exit_code == 0);
    CHECK(nlohmann::json::parse(weights.out)["check"] == "pass");
    require_bad_input("run --input-shape 1,6,10,12 --pad 1 --precision int8-io --weights " + dir + "/w.npy",
                      "holds int8 codes: give the scale they are at, --weight-scale");
    require_bad_input("run --input-shape 1,6,10,12 --pad 1 --precision int8-io --weights " + dir + "/w.npy --weight-scale 0.1,0.2",
                      "--weight-scale must be one positive finite scale or K = 5 of them, not '0.1,0.2'");
    require_bad_input("run --input-shape 1,6,10,12 --filters 5 --pad 1 --precision int8-io --weight-scale 0.1",
                      "--weight-scale is for an int8 --weights file");
    require_bad_input("run --filters 5 --pad 1 --precision int8-io --input " + dir + "/x.npy", "holds int8 codes: give the scale they are at, --input-scale");
    require_bad_input("run --filters 5 --pad 1 --precision int8 --input " + dir + "/x.npy", "int8 codes, not real values");
    require_bad_input("run --input-shape 1,6,10,12 --filters 5 --pad 1 --weights " + dir + "/x.npy", "int8 codes, not real values");
    require_bad_input("run --input-shape 1,6,10,12 --filters 5 --input-scale 0.1", "are for --precision int8-io");
    require_bad_input("run --input-shape 1,6,10,12 --filters 5 --precision int8-io --output-scale 0", "the output scale must be finite and positive, not 0");
    require_bad_input("run --input-shape 1,6,10,12 --filters 5 --precision int8-io --input-zero-point 200", "the input zero point must be an int8, in [-128, 127], not 200");
    require_bad_input("run --input-shape 1,6,10,12 --filters 5 --precision int8-io --variant fused", "precision int8-io runs the nonfused variant");
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("accuracy --layer at int8: the error by stage, the int32 sums' use, against int8 direct, in text and JSON", "[vulkan]") {
    auto text = run_wino_gen("accuracy --layer 1,8,12,12,4 --pad 1 --m 4 --precision int8 --calibration mse");
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("F(4,3) nonfused int8 on 1x8x12x12 -> 4"));
    CHECK_THAT(text.out, Catch::Contains("clips of V: least squared error of 1 inputs (the input measured)"));
    CHECK_THAT(text.out, Catch::Contains("product: exact int32 sums, the largest |sum| "));
    CHECK_THAT(text.out, Catch::Contains("of at most 129032 (int32 holds 2147483647)"));
    CHECK_THAT(text.out, Catch::Contains("int8 direct convolution, per-tensor scales: rel_err"));
    auto json = run_wino_gen("accuracy --layer 1,8,12,12,4 --pad 1 --m 2 --precision int8 --clip 2,0,0 --format json");
    REQUIRE(json.exit_code == 0);
    const auto j = nlohmann::json::parse(json.out);
    CHECK(j["clips"]["source"] == "exact bound for |x| <= 2");
    const double all = j["rel_err"], v = j["stages"]["v_quantization"]["rel_err"], u = j["stages"]["u_quantization"]["rel_err"];
    CHECK(v < all);
    CHECK(u < all);
    CHECK(all < v + u);
    CHECK(j["stages"]["product"]["largest_sum"].get<double>() <= j["stages"]["product"]["sum_bound"].get<double>());
    CHECK(j["ratio_to_int8_direct"].get<double>() == Approx(all / j["int8_direct"]["rel_err"].get<double>()));
    // The layer is run's for the same seed: run --check reports the same error on the device.
    auto on_device = run_wino_gen("run --input-shape 1,8,12,12 --filters 4 --pad 1 --m 2 --precision int8 --clip 2,0,0 --check --format json");
    REQUIRE(on_device.exit_code == 0);
    CHECK(nlohmann::json::parse(on_device.out)["rel_err"].get<double>() == Approx(all).epsilon(0.05));
    CHECK_FALSE(j["stages"].contains("tensor_coding"));
    // int8-io: the layer and the int8 direct baseline both code their output; the coding's own error is a stage.
    auto coded = run_wino_gen("accuracy --layer 1,8,12,12,4 --pad 1 --m 2 --precision int8-io --clip 2,0,0 --format json");
    REQUIRE(coded.exit_code == 0);
    const auto c = nlohmann::json::parse(coded.out);
    CHECK(c["precision"] == "int8-io");
    const double coding = c["stages"]["tensor_coding"]["rel_err"];
    CHECK(coding > 1e-3);
    CHECK(coding < c["rel_err"].get<double>());
    CHECK(c["rel_err"].get<double>() > all);
    CHECK(c["int8_direct"]["rel_err"].get<double>() > j["int8_direct"]["rel_err"].get<double>());
    require_bad_input("accuracy --layer 1,8,12,12,4 --m 4 --precision int8 --variant fused", "precision int8 runs the nonfused variant");
    require_bad_input("accuracy --layer 1,8,12,12,4 --m 4 --clip 1,1,0", "--clip and --calibrate are for --precision int8");
}

TEST_CASE("epilogue on run and emit: bias and activation in the kernels that write the output, named, checked", "[vulkan]") {
    const std::string dir = "/tmp/wino-epilogue-" + std::to_string(::getpid());
    auto run = run_wino_gen("run --input-shape 2,6,11,9 --filters 5 --pad 1 --bias random --activation relu6 --check --format json");
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["check"] == "pass");
    CHECK(j["kernel_set"].get<std::string>().find("_bias_relu6") != std::string::npos);
    CHECK(j["epilogue"]["activation"] == "relu6");
    CHECK(j["epilogue"]["bias"] == true);
    // A bias from a file: the output of a K = 1 run, flattened, is no K-vector; a (K,) float16 file is.
    wino::write_npy(dir + "-bias.npy", {{5}, {0.5f, -1.0f, 2.0f, 0.0f, 1.5f}, wino::ElementType::fp16});
    auto from_file = run_wino_gen("run --input-shape 1,6,11,9 --filters 5 --pad 1 --bias " + dir +
                                  "-bias.npy --activation leaky_relu:0.1 --variant direct --check --format json");
    REQUIRE(from_file.exit_code == 0);
    CHECK(nlohmann::json::parse(from_file.out)["kernel_set"].get<std::string>().find("_bias_lrelu0p1") != std::string::npos);
    require_bad_input("run --input-shape 1,6,11,9 --filters 4 --bias " + dir + "-bias.npy", "the bias needs K = 4 values");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --activation sigmoid", "--activation must be none, relu, relu6");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --activation leaky_relu:x", "'x' is not a finite number");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --activation clip:1", "two, clip:low,high");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --activation clip:2,1", "low must be below high");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --activation relu:3", "relu takes no parameters");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --bias /nonexistent.npy", "/nonexistent.npy");

    REQUIRE(run_wino_gen("emit --backend glsl --m 4 --r 3 --bias --activation clip:-1,1 --registry-unit e --out " + dir)
                .exit_code == 0);
    const std::string output = wino::test::slurp(dir + "/wino_f4_3_output_transform_ufull_wg64_tt4_bias_clip_m1_1.comp");
    CHECK(output.find("// Epilogue: bias, then clip:-1,1") != std::string::npos);
    CHECK(output.find("uniform samplerBuffer bias;") != std::string::npos);
    CHECK(output.find("#define EPILOGUE(x) min(max(((x) + bias_k), REAL(-1.0f)), REAL(1.0f))") != std::string::npos);
    // The GEMM writes no output: no epilogue, and its name is the bare one.
    CHECK(std::filesystem::exists(dir + "/wino_f4_3_gemm_t1x8_r16x8.comp"));
    CHECK(wino::test::slurp(dir + "/e.cpp").find("{true, wino::Activation::clip, 0.01f, -1.0f, 1.0f}") != std::string::npos);
    REQUIRE(run_wino_gen("emit --backend cuda --m 4 --r 3 --variant fused --precision fp16 --activation relu --out " + dir)
                .exit_code == 0);
    CHECK(std::filesystem::exists(dir + "/wino_f4_3_fused_h_ufull_f8x16_fr2x2_fx4_relu.cu"));
    require_bad_input("emit --backend glsl --activation tanh --out " + dir, "--activation must be");
    std::system(("rm -rf " + dir + " " + dir + "-bias.npy").c_str());
}

TEST_CASE("points on run, emit and tune: the parser of matrices, the config's points end to end", "[vulkan]") {
    const std::string dir = "/tmp/wino-points-" + std::to_string(::getpid());
    auto run = run_wino_gen("run --input-shape 1,6,11,9 --filters 5 --pad 1 --points 0,1,-1,2,-2 --check --format json");
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["points"] == std::vector<std::string>{"0", "1", "-1", "2", "-2", "inf"});
    CHECK(j["check"] == "pass");
    CHECK(j["config"]["points"] == "0,1,-1,2,-2");
    // the default set, however written, is the default configuration
    auto same = run_wino_gen("run --input-shape 1,6,11,9 --filters 5 --pad 1 --points '0,sqrt2,-sqrt(2),1/sqrt2,-sqrt(1/2)' --format json");
    REQUIRE(same.exit_code == 0);
    CHECK_FALSE(nlohmann::json::parse(same.out)["config"].contains("points"));
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --points 0,1,-1,2", "needs 5 finite points");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --points 0,1,1,2,-2", "appears twice");
    require_bad_input("run --input-shape 1,6,11,9 --filters 5 --variant direct --points 0,1,-1,2,-2", "no interpolation points");

    // Where lavapipe's subgroups are 8 lanes, they share the GEMM's loads (AVX2; AVX-512's 16 do not fit 8x1 threads).
    const int lanes = j["config"]["gemm_subgroup"];
    CHECK(j["kernel_set"] == "wino_f4_3_nonfused_" + wino::points_tag(wino::parse_points("0,1,-1,2,-2", 6)) + "_ufull_wg64_t8x1_r4x4" +
                                 (lanes ? "_sg" + std::to_string(lanes) : "") + "_tt4");
    REQUIRE(run_wino_gen("emit --backend glsl --m 4 --r 3 --points 0,1,-1,2,-2 --out " + dir).exit_code == 0);
    // The transforms at other points are other kernels, and say so by name; the GEMM is the same kernel.
    const std::string tag = wino::points_tag(wino::parse_points("0,1,-1,2,-2", 6));
    CHECK(tag.size() == 9);
    CHECK(wino::test::slurp(dir + "/wino_f4_3_input_transform_" + tag + "_ufull_wg64_tt4.comp").find("points 0, 1, -1, 2, -2, inf") !=
          std::string::npos);
    CHECK(std::filesystem::exists(dir + "/wino_f4_3_gemm_t1x8_r16x8.comp"));
    require_bad_input("emit --backend glsl --m 4 --r 3 --points 0,1 --out " + dir, "needs 5 finite points");
    REQUIRE(run_wino_gen("emit --backend glsl --m 4 --r 3 --points 0,1,-1,2,-2 --registry-unit p --out " + dir).exit_code == 0);
    CHECK(wino::test::slurp(dir + "/p.cpp").find(R"(, "0,1,-1,2,-2", wino::Precision::fp32, {false, wino::Activation::none, 0.01f, 0.0f, 6.0f}, set0_kernels, wino::Pass::forward})") !=
          std::string::npos);

    auto tuned = run_wino_gen("tune --input-shape 1,4,8,8 --filters 4 --pad 1 --points 0,1,1/2 --budget-seconds 1 --db " + dir +
                              "/t.db --format json");
    REQUIRE(tuned.exit_code == 0);
    const auto config = nlohmann::json::parse(tuned.out)["layers"][0]["config"];
    CHECK(config["m"] == 2);  // three finite points: alpha 4, so m = 2 for r = 3
    CHECK(config["points"] == "0,1,1/2");
    require_bad_input("tune --input-shape 1,4,8,8 --filters 4 --points 0,1,2,3,4,5,6,7,8,9,10,11 --db " + dir + "/t.db",
                      "which no tile of the space has");
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("help names every option") {
    auto help = run_wino_gen("matrices --help");
    CHECK(help.exit_code == 0);
    for (const char* option : {"--m", "--r", "--points", "--m2", "--r2", "--fractions-in", "--format", "--sweep"})
        CHECK(help.out.find(option) != std::string::npos);
}

TEST_CASE("the API refuses a device whose part the build leaves out as a device that is not there: DeviceError naming the part") {
    for (const wino::BackendSpec& backend : wino::backends()) {
        const wino::PartSpec& part = wino::spec_of(backend.part);
        INFO(backend.name << (part.built ? " (built)" : " (left out)"));
        std::string refusal;
        try {
            wino::Device device(wino::DeviceOptions{backend.backend});
        } catch (const wino::DeviceError& e) {
            refusal = e.what();
        }
        CHECK((refusal.find(fmt::format("needs wino-gen's {} part", part.name)) != std::string::npos) == !part.built);
    }
}

// A flag's help as --help prints it: from the flag to the next flag's line.
std::string flag_help(const std::string& help, const std::string& flag) {
    const std::size_t at = help.find("\n  " + flag + " ");
    if (at == std::string::npos) return "";
    const std::size_t end = help.find("\n  -", at + 1);
    return help.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// (No colon in the name: Catch 2.13 loops forever wrapping such a long name when it fails.)
TEST_CASE("run, emit and tune declare --r, --filter-shape, --points, --precision and --pass once with one help and at most a note") {
    const std::string emit = run_wino_gen("emit --help").out;
    std::vector<std::string> commands = {"run"};
    if (wino::spec_of(wino::Part::tuner).built) commands.push_back("tune");  // else a refusal without flags
    for (const std::string& command : commands) {
        const std::string help = run_wino_gen(command + " --help").out;
        INFO(command);
        for (const char* flag : {"--r", "--filter-shape"}) {
            INFO(flag);
            CHECK_FALSE(flag_help(emit, flag).empty());
            CHECK(flag_help(help, flag) == flag_help(emit, flag));
        }
        for (const char* flag : {"--points", "--precision", "--pass"}) {
            INFO(flag);
            const std::string base = flag_help(emit, flag), own = flag_help(help, flag);
            REQUIRE_FALSE(base.empty());
            // The shared sentence (CLI11 wraps nothing: one line each), then the subcommand's note.
            CHECK(own.rfind(base.substr(0, base.find('\n', 1)), 0) == 0);
        }
    }
}

TEST_CASE("non-square and 1D layers on run and emit: F(m x n, r x s) names, --m per axis, every --pad form, bad input in one line", "[vulkan]") {
    auto json = [](const std::string& args) {
        auto r = run_wino_gen(args + " --no-tuning-db --check --format json");
        INFO("wino-gen " << args << "\n" << r.err);
        REQUIRE(r.exit_code == 0);
        return nlohmann::json::parse(r.out);
    };
    auto row = json("run --input-shape 2,4,9,10 --filters 3 --filter-shape 1,7 --pad 0,3");
    CHECK(row["m"] == nlohmann::json{1, 4});  // --m 4 by default: the 1-row axis is not transformed
    CHECK(row["r"] == nlohmann::json{1, 7});
    CHECK(row["pad"] == "0,3");
    CHECK(row["kernel_set"].get<std::string>().rfind("wino_f1x4_1x7_nonfused_", 0) == 0);
    auto tiles = json("run --input-shape 1,4,9,10 --filters 3 --filter-shape 3,5 --pad 1,2 --m 4,2 --variant fused");
    CHECK(tiles["m"] == nlohmann::json{4, 2});
    CHECK(tiles["kernel_set"].get<std::string>().rfind("wino_f4x2_3x5_fused_", 0) == 0);
    auto same = json("run --input-shape 1,4,9,10 --filters 3 --filter-shape 2,4 --pad same");
    CHECK(same["pad"] == "0,1,1,2");  // SAME_UPPER: the odd row and column at the bottom and right
    auto sides = json("run --input-shape 1,4,9,10 --filters 3 --pad 0,2,1,0 --variant direct");
    CHECK(sides["pad"] == "0,2,1,0");
    CHECK(sides["kernel_set"].get<std::string>().rfind("wino_direct_r3_", 0) == 0);
    CHECK(json("run --input-shape 1,4,9,10 --filters 3 --filter-shape 1,3 --variant direct")["kernel_set"]
              .get<std::string>()
              .rfind("wino_direct_r1x3_", 0) == 0);
    // A 1D layer: N,C,W, filters S, and .npy of rank 3 both ways.
    const std::string dir = "/tmp/wino-1d-" + std::to_string(::getpid());
    auto line = json("run --input-shape 2,3,40 --filters 5 --filter-shape 5 --pad same --m 6 --output " + dir + "-y.npy");
    CHECK(line["m"] == nlohmann::json{1, 6});
    const wino::NpyArray y = wino::read_npy(dir + "-y.npy");
    CHECK(y.shape == std::vector<long long>{2, 5, 40});
    wino::write_npy(dir + "-w.npy", {{5, 3, 3}, std::vector<float>(45, 0.5f)});
    CHECK(json("run --input-shape 2,3,40 --weights " + dir + "-w.npy --filter-shape 3 --pad 1,0")["m"] == nlohmann::json{1, 4});
    require_bad_input("run --input-shape 2,3,40 --weights " + dir + "-w.npy --filter-shape 5", "the layer's w is K,C,S = 5x3x5");
    std::remove((dir + "-y.npy").c_str());
    std::remove((dir + "-w.npy").c_str());
    // One line and exit 2 for each bad form.
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --pad 1,2,3", "--pad is P, PH,PW, top,bottom,left,right or same");
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --pad -1", "--pad must be an integer from 0 to 65536");
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --filter-shape 1,2,3", "--filter-shape is R,S");
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --filter-shape 3,40", "--filter-shape's S must be an integer from 1 to 31");
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --r 3 --filter-shape 3,5", "--r excludes --filter-shape");
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --filter-shape 1,7 --m 2,4", "the filter's R is 1");
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --m 2,3,4", "--m is M or M,N");
    require_bad_input("emit --backend glsl --filter-shape 1,7 --m 2,4", "the filter's R is 1");
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --filter-shape 3,5 --m 4,4 --points 0,1,-1,2,-2",
                      "whose alphas differ (6 along H, 8 along W)");
    require_bad_input("run --input-shape 1,4,9,10 --filters 3 --filter-shape 1,1", "a 1x1 filter is not Winograd");
    require_bad_input("run --input-shape 1,3,40 --filters 3 --r 3", "a 1D layer (--input-shape N,C,W) takes its filter size as --filter-shape S");
    require_bad_input("run --input-shape 1,3,40 --filters 3 --filter-shape 3 --pad 1,2,3,4", "a 1D layer's --pad is P, left,right or same");
    require_bad_input("run --input-shape 1,4,5,5 --filters 3 --filter-shape 7,1", "a 7x1 filter with pad 0 leaves no output of a 5x5 input");
    // accuracy --layer models the same layer forms.
    auto model = run_wino_gen("accuracy --layer 1,8,9,10,6 --filter-shape 3,5 --pad same --m 4,2 --format json");
    REQUIRE(model.exit_code == 0);
    const nlohmann::json modelled = nlohmann::json::parse(model.out);
    CHECK(modelled["m"] == nlohmann::json{4, 2});
    CHECK(modelled["layer"]["S"] == 5);
    CHECK(modelled["layer"]["pad_left"] == 2);
    CHECK(modelled["rel_err"].get<double>() < 1e-5);
    require_bad_input("accuracy --layer 1,8,9,10,6 --r 3 --filter-shape 3,5", "--r and --filter-shape name the filter twice");
    // emit writes both axes' kernels and transform headers.
    const std::string out = "/tmp/wino-emit-ns-" + std::to_string(::getpid());
    auto emitted = run_wino_gen("emit --backend cuda --filter-shape 3,5 --m 4,2 --out " + out);
    REQUIRE(emitted.exit_code == 0);
    CHECK(emitted.out.find("winograd_f4_3.cuh") != std::string::npos);
    CHECK(emitted.out.find("winograd_f2_5.cuh") != std::string::npos);
    CHECK(emitted.out.find("wino_f4x2_3x5_input_transform_") != std::string::npos);
    const std::string header = wino::test::slurp(out + "/wino_f4x2_3x5_output_transform_ufull_wg64_tt1.cu");
    CHECK(header.find("Winograd F(4x2,3x5): F(4,3) along H, alpha 6") != std::string::npos);
    std::system(("rm -rf " + out).c_str());
}

TEST_CASE("tune refuses a layer no candidate can run with its reason and exit 2, and a layer list tunes the others and lists it", "[vulkan][tuner]") {
    const std::string dir = "/tmp/wino-tune-refused-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    // A 1x1 filter: no Winograd configuration, and the direct kernel is not in the space (it crashed, SIGSEGV, before).
    require_bad_input("tune --input-shape 1,8,8,8 --filters 8 --r 1 --budget-seconds 1 --db " + dir + "/t.db",
                      "1x8x8x8 -> 8, 1x1, pad 0 cannot be tuned: a 1x1 filter is not Winograd");
    {
        std::ofstream list(dir + "/layers.txt");
        list << "pointwise 1 8 8 8 8 1 0\nsmall 1 4 8 8 4 3 1\n";
    }
    const auto run = run_wino_gen("tune --layers " + dir + "/layers.txt --budget-seconds 1 --db " + dir + "/t.db --format json");
    CHECK(run.exit_code == 2);  // stderr: the tuned layer's progress line, then the one line of the refusal
    CHECK_THAT(run.err, Catch::EndsWith("wino-gen: 1 of the 2 layers could not be tuned (skipped: pointwise)\n"));
    const nlohmann::json out = nlohmann::json::parse(run.out);
    REQUIRE(out["layers"].size() == 1);
    CHECK(out["layers"][0]["layer"] == "small");
    CHECK(out["layers"][0]["time_ms"].get<double>() > 0);
    REQUIRE(out["skipped"].size() == 1);
    CHECK(out["skipped"][0]["layer"] == "pointwise");
    CHECK_THAT(out["skipped"][0]["reason"].get<std::string>(), Catch::Contains("a 1x1 filter is not Winograd"));
    const auto text = run_wino_gen("tune --layers " + dir + "/layers.txt --budget-seconds 1 --db " + dir + "/t.db");
    CHECK(text.exit_code == 2);
    CHECK_THAT(text.out, Catch::Contains("skipped pointwise: "));
    std::filesystem::remove_all(dir);
}

TEST_CASE("backward-data on run and emit: dy and w in, dx out as .npy, the pass in names and JSON, bad input in one line", "[vulkan]") {
    const std::string dir = "/tmp/wino-run-bd-" + std::to_string(::getpid());
    const std::string layer = "--pass backward-data --input-shape 2,3,9,10 --filters 4 --filter-shape 3,5 --pad 1,2";
    REQUIRE(run_wino_gen("run --input-shape 2,4,9,10 --filters 4 --r 1 --variant direct --output " + dir + "/dy.npy").exit_code == 0);
    REQUIRE(run_wino_gen("run --input-shape 4,1,3,5 --filters 3 --r 1 --variant direct --output " + dir + "/w4.npy").exit_code == 0);
    // w: K,C,R,S = 4,3,3,5 is the layout of an N,K,H',W' output of those sizes.
    auto run = run_wino_gen("run " + layer + " --grad-output " + dir + "/dy.npy --weights " + dir + "/w4.npy --check --output " + dir +
                            "/dx.npy --format json");
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["pass"] == "backward-data");
    CHECK(j["config"]["pass"] == "backward-data");
    CHECK(j["kernel_set"].get<std::string>().find("_nonfused_bd_") != std::string::npos);
    CHECK(j["check"] == "pass");
    CHECK(wino::read_npy(dir + "/dx.npy").shape == std::vector<long long>{2, 3, 9, 10});
    auto text = run_wino_gen("run " + layer + " --check");
    REQUIRE(text.exit_code == 0);
    CHECK(text.out.find("on backward-data of 2x3x9x10 -> 4 3x5 filters, pad 1,2") != std::string::npos);
    // 1D: dx is N,C,W.
    REQUIRE(run_wino_gen("run --pass backward-data --input-shape 2,3,17 --filters 4 --filter-shape 3 --pad 1 --output " + dir +
                         "/dx1.npy").exit_code == 0);
    CHECK(wino::read_npy(dir + "/dx1.npy").shape == std::vector<long long>{2, 3, 17});
    auto emitted = run_wino_gen("emit --backend glsl --pass backward-data --variant fused --m 2 --out " + dir);
    REQUIRE(emitted.exit_code == 0);
    CHECK(emitted.out.find("wino_f2_3_filter_transform_bd_") != std::string::npos);
    CHECK(emitted.out.find("wino_f2_3_fused_ufull") != std::string::npos);  // the product's kernel is every pass's
    // A layer list's registry unit: each layer's set for that pass.
    std::ofstream(dir + "/layers.txt") << "a 1 4 9 9 6 3 1\n";
    REQUIRE(run_wino_gen("emit --backend glsl --pass backward-data --layers " + dir + "/layers.txt --registry-unit bd --out " + dir)
                .exit_code == 0);
    const std::string unit = wino::test::slurp(dir + "/bd.cpp");
    CHECK(unit.find("_nonfused_bd_") != std::string::npos);
    CHECK(unit.find("set0_kernels, wino::Pass::backward_data}") != std::string::npos);
    require_bad_input("run --pass sideways --input-shape 1,3,9,9 --filters 4", "--pass must be forward, backward-data or backward-filter");
    require_bad_input("run --pass backward-data --input " + dir + "/dy.npy --filters 4",
                      "--pass backward-data reads --grad-output and --weights, not --input");
    require_bad_input("run --pass backward-data --grad-output " + dir + "/dy.npy --filters 4", "needs the forward layer");
    require_bad_input("run --grad-output " + dir + "/dy.npy --input-shape 2,3,9,10 --filters 4",
                      "--pass forward reads --input and --weights, not --grad-output");
    require_bad_input("run " + layer + " --grad-output " + dir + "/dx.npy", "the layer's dy is N,K,H',W' = 2x4x9x10");
    require_bad_input("run " + layer + " --activation relu", "the backward-data pass has no epilogue");
    require_bad_input("emit --backend glsl --pass backward-data --bias --out " + dir, "the backward-data pass has no epilogue");
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("backward-filter on run and emit: x and dy in, dw out as .npy, the chunk width as m, bad input in one line", "[vulkan]") {
    const std::string dir = "/tmp/wino-run-bf-" + std::to_string(::getpid());
    REQUIRE(run_wino_gen("run --input-shape 2,3,9,10 --filters 3 --r 1 --variant direct --output " + dir + "/x.npy").exit_code == 0);
    REQUIRE(run_wino_gen("run --input-shape 2,4,9,10 --filters 4 --r 1 --variant direct --output " + dir + "/dy.npy").exit_code == 0);
    // K comes from dy's second dimension; W' = 10 in chunks of 4 leaves a last chunk of 2.
    const std::string layer = "--pass backward-filter --input " + dir + "/x.npy --grad-output " + dir + "/dy.npy --filter-shape 3,5 --pad 1,2";
    auto run = run_wino_gen("run " + layer + " --m 4 --check --output " + dir + "/dw.npy --format json");
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["pass"] == "backward-filter");
    CHECK(j["config"]["m"] == nlohmann::json::array({1, 4}));
    CHECK(j["kernel_set"].get<std::string>().find("_nonfused_bf_") != std::string::npos);
    CHECK(j["check"] == "pass");
    CHECK(wino::read_npy(dir + "/dw.npy").shape == std::vector<long long>{4, 3, 3, 5});
    for (const std::string variant : {"fused --m 1,7", "direct"}) {
        auto other = run_wino_gen("run " + layer + " --variant " + variant + " --check --format json");
        INFO(variant << ": " << other.err);
        REQUIRE(other.exit_code == 0);
        CHECK(nlohmann::json::parse(other.out)["check"] == "pass");
    }
    // Seeded tensors without files; 1D: dw is K,C,S.
    REQUIRE(run_wino_gen("run --pass backward-filter --input-shape 2,3,17 --filters 4 --filter-shape 3 --pad 1 --check --output " +
                         dir + "/dw1.npy").exit_code == 0);
    CHECK(wino::read_npy(dir + "/dw1.npy").shape == std::vector<long long>{4, 3, 3});
    auto emitted = run_wino_gen("emit --backend glsl --pass backward-filter --m 6 --out " + dir);
    INFO(emitted.err);
    REQUIRE(emitted.exit_code == 0);
    CHECK(emitted.out.find("wino_f1x3_1x6_filter_transform_bf") != std::string::npos);  // F(3, 6): dy's chunks of 6
    CHECK(emitted.out.find("wino_f1x3_1x6_input_transform_bf") != std::string::npos);
    // A layer list's registry unit: each layer's set at its planned chunk width (13 columns: chunks of 5).
    std::ofstream(dir + "/layers.txt") << "a 1 4 13 13 6 3 1\n";
    auto unit_run = run_wino_gen("emit --backend glsl --pass backward-filter --layers " + dir + "/layers.txt --registry-unit bf --out " + dir);
    INFO(unit_run.err);
    REQUIRE(unit_run.exit_code == 0);
    const std::string unit = wino::test::slurp(dir + "/bf.cpp");
    CHECK(unit.find("wino_f1x5_3x3_nonfused_bf_") != std::string::npos);
    CHECK(unit.find("set0_kernels, wino::Pass::backward_filter}") != std::string::npos);
    require_bad_input("run " + layer + " --m 10", "backward-filter's m is the width w of dy's chunks");
    require_bad_input("run " + layer + " --weights " + dir + "/dy.npy", "--pass backward-filter reads --input and --grad-output, not --weights");
    require_bad_input("run --pass backward-filter --input " + dir + "/x.npy --filter-shape 3,5", "run needs --filters K or --grad-output dy.npy");
    require_bad_input("run --pass backward-filter --input " + dir + "/x.npy --grad-output " + dir + "/x.npy --filters 4 --filter-shape 3,5 --pad 1,2",
                      "the layer's dy is N,K,H',W' = 2x4x9x10");
    std::system(("rm -rf " + dir).c_str());
}
