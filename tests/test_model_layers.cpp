// ONNX models as layer sources: tests/data/resnet_block.onnx (made by
// make_resnet_block.py beside it, torch's exporter) gives each tunable Conv's
// shape once, and every other Conv with its reason; bad files are refused.
#include <wino/errors.hpp>
#include "tuner/model_layers.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace wino;
namespace fs = std::filesystem;

namespace {

const fs::path model = fs::path(WINO_SOURCE_DIR) / "tests/data/resnet_block.onnx";

std::string shape_text(const ConvShape& s) {
    return fmt::format("{}x{}x{}x{} k{} r{} p{}", s.N, s.C, s.H, s.W, s.K, filter_text(s), padding_text(s.pad));
}

}  // namespace

TEST_CASE("an ONNX model's Winograd convolutions come out with their inferred shapes, each shape once, 1x3 and row-only padding too") {
    for (int batch : {1, 3}) {
        INFO("batch " << batch);
        const ModelLayers m = read_model_layers(model, batch);
        std::vector<std::pair<std::string, std::string>> got;
        for (const NamedLayer& l : m.layers) got.push_back({l.name, shape_text(l.shape)});
        const std::string n = std::to_string(batch);
        CHECK(got == std::vector<std::pair<std::string, std::string>>{
                         {"/conv1/Conv (x2)", n + "x8x20x20 k8 r3x3 p1"},  // conv2 has conv1's shape
                         {"/conv3/Conv", n + "x16x10x10 k16 r3x3 p1"},       // after the stride-2 conv
                         {"/conv5/Conv", n + "x16x10x10 k8 r5x5 p2"},
                         {"/row/Conv", n + "x8x10x10 k8 r1x3 p0,1"},
                         {"/valid/Conv", n + "x8x10x10 k8 r3x3 p0"},
                         {"/conv7/Conv", n + "x8x8x8 k4 r7x7 p3"},
                         {"/rows_padded/Conv", n + "x8x10x10 k8 r3x3 p1,0"}});
    }
}

TEST_CASE("an ONNX model's other convolutions are listed with the reason") {
    const ModelLayers m = read_model_layers(model, 1);
    std::vector<std::pair<std::string, std::string>> got;
    for (const SkippedConv& s : m.skipped) got.push_back({s.node, s.reason});
    CHECK(got == std::vector<std::pair<std::string, std::string>>{
                     {"/down/Conv", "stride 2x2"},
                     {"/shortcut/Conv", "stride 2x2"},
                     {"/squeeze/Conv", "a 1x1 filter: a GEMM, not Winograd"},
                     {"/dilated/Conv", "dilation 2x2"},
                     {"/depthwise/Conv", "a grouped convolution (group 8)"}});
}

TEST_CASE("files that are not ONNX models are refused with the file's name") {
    const fs::path dir = fs::temp_directory_path() / fmt::format("wino-model-{}", ::getpid());
    fs::create_directories(dir);
    std::ofstream(dir / "garbage.onnx") << "this is not a protobuf message \x01\x02\x03";
    std::ofstream(dir / "empty.onnx");
    for (const fs::path& bad : {dir / "garbage.onnx", dir / "empty.onnx", dir / "missing.onnx", dir}) {
        INFO(bad);
        try {
            read_model_layers(bad, 1);
            FAIL("accepted");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find(bad.string()) != std::string::npos);
        }
    }
    fs::remove_all(dir);
}

TEST_CASE("tune --model tunes the model's layers and lists the skipped ones, and refuses bad input with one line") {
    const fs::path dir = fs::temp_directory_path() / fmt::format("wino-model-cli-{}", ::getpid());
    fs::create_directories(dir);
    const std::string db = " --db " + (dir / "t.db").string();
    const auto r = test::run_wino_gen(fmt::format("tune --model {} --batch 2 --budget-seconds 0.2 --max-error none --format json", model.string()) + db);
    REQUIRE(r.exit_code == 0);
    const nlohmann::json out = nlohmann::json::parse(r.out);
    REQUIRE(out["layers"].size() == 7);
    CHECK(out["layers"][0]["layer"] == "/conv1/Conv (x2)");
    CHECK(out["layers"][0]["shape"] == nlohmann::json{{"N", 2}, {"C", 8}, {"H", 20}, {"W", 20}, {"K", 8}, {"R", 3}, {"S", 3},
                                                      {"pad_top", 1}, {"pad_bottom", 1}, {"pad_left", 1}, {"pad_right", 1}});
    for (const auto& l : out["layers"]) CHECK(l["time_ms"].get<double>() > 0);
    REQUIRE(out["skipped"].size() == 5);
    CHECK(out["skipped"][0] == nlohmann::json{{"node", "/down/Conv"}, {"reason", "stride 2x2"}});

    std::ofstream(dir / "garbage.onnx") << "not a model";
    for (const std::string& args : std::vector<std::string>{"tune --model " + (dir / "garbage.onnx").string(), "tune --model /nonexistent.onnx",
                                    fmt::format("tune --model {} --batch 0", model.string()),
                                    fmt::format("tune --model {} --layers {}", model.string(), model.string())}) {
        INFO(args);
        const auto bad = test::run_wino_gen(args + db);
        CHECK(bad.exit_code == 2);
        CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
    }
    fs::remove_all(dir);
}
