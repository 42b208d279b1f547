// ONNX models as layer sources: tests/data/resnet_block.onnx (made by
// make_resnet_block.py beside it, torch's exporter) gives each tunable Conv's
// shape once, and every other Conv with its reason; bad files are refused.
// From a model to kernels: `emit --model` and its manifest, `tune --model
// --write-layers`, on that model and on models this file writes itself
// (ONNX's protobuf classes): a 1D and a non-square convolution, and none
// that wino-gen runs.
// protobuf's headers come before CLN's (tuner/model_layers.cpp says why).
#include <onnx/onnx_pb.h>

#include <wino/errors.hpp>
#include "templates/layer.hpp"
#include "tuner/layer_list.hpp"
#include "tuner/model_layers.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>
#include <vector>
#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace wino;
namespace fs = std::filesystem;

namespace {

const fs::path model = fs::path(WINO_SOURCE_DIR) / "tests/data/resnet_block.onnx";

std::string shape_text(const ConvShape& s) {
    return fmt::format("{}x{}x{}x{} k{} r{} p{}", s.N, s.C, s.H, s.W, s.K, filter_text(s), padding_text(s.pad));
}

// A model of one Conv node per entry on its own graph input: {name, input
// dims (0: the dynamic batch), weight dims, pads, strides}.
struct ConvNode {
    std::string name;
    std::vector<long long> input, weights, pads, strides;
};
void write_model(const fs::path& file, const std::vector<ConvNode>& convs) {
    onnx::ModelProto model;
    model.set_ir_version(7);
    model.add_opset_import()->set_version(13);
    onnx::GraphProto* graph = model.mutable_graph();
    graph->set_name("written by test_model_layers");
    for (const ConvNode& c : convs) {
        onnx::ValueInfoProto* input = graph->add_input();
        input->set_name(c.name + "_x");
        onnx::TypeProto_Tensor* type = input->mutable_type()->mutable_tensor_type();
        type->set_elem_type(onnx::TensorProto::FLOAT);
        for (long long d : c.input) {
            onnx::TensorShapeProto_Dimension* dim = type->mutable_shape()->add_dim();
            if (d == 0) dim->set_dim_param("batch");
            else dim->set_dim_value(d);
        }
        onnx::TensorProto* w = graph->add_initializer();
        w->set_name(c.name + "_w");
        w->set_data_type(onnx::TensorProto::FLOAT);
        long long count = 1;
        for (long long d : c.weights) {
            w->add_dims(d);
            count *= d;
        }
        for (long long i = 0; i < count; ++i) w->add_float_data(0.5f);
        onnx::NodeProto* node = graph->add_node();
        node->set_name(c.name);
        node->set_op_type("Conv");
        node->add_input(c.name + "_x");
        node->add_input(c.name + "_w");
        node->add_output(c.name + "_y");
        for (const auto& [attribute, values] : {std::pair{"pads", &c.pads}, std::pair{"strides", &c.strides}}) {
            if (values->empty()) continue;
            onnx::AttributeProto* a = node->add_attribute();
            a->set_name(attribute);
            a->set_type(onnx::AttributeProto::INTS);
            for (long long v : *values) a->add_ints(v);
        }
        onnx::ValueInfoProto* output = graph->add_output();
        output->set_name(c.name + "_y");
        output->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    }
    std::ofstream out(file, std::ios::binary);
    REQUIRE(model.SerializeToOstream(&out));
}

// The second model: a 1D convolution (N,C,W, weights K,C,S) and a 1x5 one, beside a strided one.
const std::vector<ConvNode> line_and_row = {
    {"line", {0, 3, 40}, {6, 3, 3}, {1, 1}, {}},
    {"row", {0, 4, 10, 12}, {5, 4, 1, 5}, {0, 2, 0, 2}, {}},
    {"strided", {0, 4, 10, 12}, {5, 4, 3, 3}, {1, 1, 1, 1}, {2, 2}},
};

nlohmann::json read_json(const fs::path& file) {
    std::ifstream in(file);
    REQUIRE(in);
    return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("every node of a model comes out in model order with its shape, and the model's name and hash") {
    const ModelLayers m = read_model_layers(model, 2);
    std::vector<std::string> names;
    for (const NamedLayer& n : m.nodes) names.push_back(n.name);
    CHECK(names == std::vector<std::string>{"/conv1/Conv", "/conv2/Conv", "/conv3/Conv", "/conv5/Conv", "/row/Conv", "/valid/Conv",
                                            "/conv7/Conv", "/rows_padded/Conv"});
    CHECK(m.nodes[0].shape == m.nodes[1].shape);  // conv2 shares conv1's shape, and its layer
    CHECK(m.nodes[0].shape.N == 2);
    CHECK(m.file_name == "resnet_block.onnx");
    CHECK(m.hash.size() == std::string("fnv1a64:").size() + 16);
    CHECK(m.hash == read_model_layers(model, 1).hash);  // of the bytes, not of the batch
}

TEST_CASE("a layer list written from a model reads back as its nodes, names kept one field") {
    const fs::path dir = fs::temp_directory_path() / fmt::format("wino-model-list-{}", ::getpid());
    fs::create_directories(dir);
    const ModelLayers m = read_model_layers(model, 3);
    std::vector<NamedLayer> nodes = m.nodes;
    nodes[0].name = "a node # with blanks";
    std::ofstream(dir / "list.txt") << layer_list_text(nodes, "from a test");
    const std::vector<NamedLayer> back = read_layer_list(dir / "list.txt");
    REQUIRE(back.size() == nodes.size());
    CHECK(back[0].name == "a_node___with_blanks");
    for (std::size_t i = 0; i < back.size(); ++i) CHECK(back[i].shape == nodes[i].shape);
    // tune --model --write-layers writes the same list, named by node, and tunes nothing.
    const auto written = test::run_wino_gen(fmt::format("tune --model {} --batch 3 --write-layers {}", model.string(), (dir / "tuned.txt").string()));
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    CHECK_THAT(written.out, Catch::Contains("wrote 8 layers"));
    const std::vector<NamedLayer> listed = read_layer_list(dir / "tuned.txt");
    REQUIRE(listed.size() == m.nodes.size());
    for (std::size_t i = 0; i < listed.size(); ++i) {
        CHECK(listed[i].name == m.nodes[i].name);
        CHECK(listed[i].shape == m.nodes[i].shape);
    }
    CHECK(test::run_wino_gen("tune --layers " + (dir / "tuned.txt").string() + " --write-layers " + (dir / "x.txt").string()).exit_code == 2);
    fs::remove_all(dir);
}

TEST_CASE("emit --model writes each node's set and a manifest of the model, the same sets as emit --layers on its nodes") {
    const fs::path dir = fs::temp_directory_path() / fmt::format("wino-emit-model-{}", ::getpid());
    fs::create_directories(dir);
    const auto emitted = test::run_wino_gen(fmt::format("emit --backend glsl --model {} --out {}", model.string(), (dir / "model").string()));
    INFO(emitted.err);
    REQUIRE(emitted.exit_code == 0);
    CHECK_THAT(emitted.err, Catch::Contains("skipped /down/Conv: stride 2x2"));
    const nlohmann::json manifest = read_json(dir / "model/manifest.json");
    const ModelLayers m = read_model_layers(model, 1);
    CHECK(manifest["model"] == "resnet_block.onnx");
    CHECK(manifest["model_hash"] == m.hash);
    CHECK(manifest["registry_unit"] == "resnet_block");
    CHECK(manifest["counts"] == nlohmann::json{{"nodes", 8}, {"sets", 5}, {"skipped", 5}});
    REQUIRE(manifest["nodes"].size() == m.nodes.size());
    std::set<std::string> sets;
    for (std::size_t i = 0; i < m.nodes.size(); ++i) {
        const nlohmann::json& n = manifest["nodes"][i];
        CHECK(n["node"] == m.nodes[i].name);
        CHECK(n["shape"] == nlohmann::json::parse(layer_json(m.nodes[i].shape).dump()));
        CHECK(n["tuned"] == false);
        sets.insert(n["set"].get<std::string>());
    }
    CHECK(sets.size() == 5);
    CHECK(manifest["nodes"][0]["set"] == manifest["nodes"][1]["set"]);  // one shape, one set
    REQUIRE(manifest["skipped"].size() == m.skipped.size());
    CHECK(manifest["skipped"][0] == nlohmann::json{{"node", "/down/Conv"}, {"reason", "stride 2x2"}});
    const std::string unit = test::slurp((dir / "model/resnet_block.cpp").string());
    CHECK_THAT(unit, Catch::Contains("{\"/conv1/Conv\", {1, 8, 20, 20, 8, 3, 3, {1, 1, 1, 1}}, &sets[0], false}"));
    CHECK_THAT(unit, Catch::Contains("{\"/down/Conv\", \"stride 2x2\"}"));

    // The same shapes through a layer list: the same sets, kernel for kernel.
    REQUIRE(test::run_wino_gen(fmt::format("tune --model {} --write-layers {}", model.string(), (dir / "layers.txt").string())).exit_code == 0);
    REQUIRE(test::run_wino_gen(fmt::format("emit --backend glsl --layers {} --registry-unit listed --out {}", (dir / "layers.txt").string(),
                                           (dir / "listed").string()))
                .exit_code == 0);
    std::set<std::string> model_files, listed_files;
    for (const auto& [folder, names] : {std::pair{dir / "model", &model_files}, std::pair{dir / "listed", &listed_files}})
        for (const fs::directory_entry& e : fs::directory_iterator(folder))
            if (e.path().extension() == ".comp") names->insert(e.path().filename().string());
    CHECK(model_files == listed_files);
    for (const std::string& kernel : model_files)
        CHECK(test::slurp((dir / "model" / kernel).string()) == test::slurp((dir / "listed" / kernel).string()));
    const std::string listed_unit = test::slurp((dir / "listed/listed.cpp").string());
    for (const std::string& set : sets) CHECK_THAT(listed_unit, Catch::Contains("\"" + set + "\""));
    fs::remove_all(dir);
}

TEST_CASE("emit --model takes a 1D and a non-square convolution, and refuses a model with none it runs and a file that is not a model") {
    const fs::path dir = fs::temp_directory_path() / fmt::format("wino-emit-written-{}", ::getpid());
    fs::create_directories(dir);
    write_model(dir / "line_and_row.onnx", line_and_row);
    const auto emitted = test::run_wino_gen(fmt::format("emit --backend glsl --model {} --batch 2 --registry-unit written --out {}",
                                                        (dir / "line_and_row.onnx").string(), (dir / "out").string()));
    INFO(emitted.err);
    REQUIRE(emitted.exit_code == 0);
    const nlohmann::json manifest = read_json(dir / "out/manifest.json");
    CHECK(manifest["batch"] == 2);
    REQUIRE(manifest["nodes"].size() == 2);
    CHECK(manifest["nodes"][0]["node"] == "line");
    CHECK(manifest["nodes"][0]["shape"] == nlohmann::json{{"N", 2}, {"C", 3}, {"H", 1}, {"W", 40}, {"K", 6}, {"R", 1}, {"S", 3},
                                                          {"pad_top", 0}, {"pad_bottom", 0}, {"pad_left", 1}, {"pad_right", 1}});
    CHECK(manifest["nodes"][1]["node"] == "row");
    CHECK(manifest["nodes"][1]["shape"] == nlohmann::json{{"N", 2}, {"C", 4}, {"H", 10}, {"W", 12}, {"K", 5}, {"R", 1}, {"S", 5},
                                                          {"pad_top", 0}, {"pad_bottom", 0}, {"pad_left", 2}, {"pad_right", 2}});
    CHECK(manifest["nodes"][1]["set"].get<std::string>().find("wino_f1x4_1x5_nonfused") == 0);
    CHECK(manifest["skipped"] == nlohmann::json::array({{{"node", "strided"}, {"reason", "stride 2x2"}}}));
    CHECK(fs::exists(dir / "out/written.cpp"));

    write_model(dir / "none.onnx", {line_and_row[2]});
    std::ofstream(dir / "garbage.onnx") << "not a model";
    for (const auto& [file, says] : {std::pair{dir / "none.onnx", "has no convolution a Winograd kernel can run (1 Conv nodes skipped)"},
                                     std::pair{dir / "garbage.onnx", "is not an ONNX model"}}) {
        const auto bad = test::run_wino_gen(fmt::format("emit --backend glsl --model {} --out {}", file.string(), (dir / "bad").string()));
        INFO(bad.err);
        CHECK(bad.exit_code == 2);
        CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
        CHECK_THAT(bad.err, Catch::Contains(says));
        CHECK_FALSE(fs::exists(dir / "bad/manifest.json"));  // nothing written
    }
    CHECK(test::run_wino_gen(fmt::format("emit --backend glsl --model {} --layers {} --out {}", model.string(), model.string(),
                                         (dir / "bad").string()))
              .exit_code == 2);
    CHECK(test::run_wino_gen(fmt::format("emit --backend glsl --batch 4 --out {}", (dir / "bad").string())).exit_code == 2);
    fs::remove_all(dir);
}

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

TEST_CASE("QLinearConv nodes on int8 codes are layers, as int8-io runs them, uint8 ones listed with the reason") {
    const fs::path file = fs::temp_directory_path() / fmt::format("wino-qlinear-{}.onnx", ::getpid());
    onnx::ModelProto model;
    model.set_ir_version(7);
    model.add_opset_import()->set_version(13);
    onnx::GraphProto* graph = model.mutable_graph();
    graph->set_name("QLinearConv, written by test_model_layers");
    // QLinearConv's inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point.
    auto scalar = [&](const std::string& name, int type) {
        onnx::TensorProto* t = graph->add_initializer();
        t->set_name(name);
        t->set_data_type(type);
        if (type == onnx::TensorProto::FLOAT) t->add_float_data(0.05f);
        else t->add_int32_data(0);
    };
    for (const auto& [name, type] : {std::pair{std::string("signed"), onnx::TensorProto::INT8}, {std::string("unsigned"), onnx::TensorProto::UINT8}}) {
        onnx::ValueInfoProto* input = graph->add_input();
        input->set_name(name + "_x");
        onnx::TypeProto_Tensor* x = input->mutable_type()->mutable_tensor_type();
        x->set_elem_type(type);
        for (long long d : {1, 6, 12, 10}) x->mutable_shape()->add_dim()->set_dim_value(d);
        onnx::TensorProto* w = graph->add_initializer();
        w->set_name(name + "_w");
        w->set_data_type(type);
        for (long long d : {4, 6, 3, 3}) w->add_dims(d);
        for (int i = 0; i < 4 * 6 * 9; ++i) w->add_int32_data(i % 5);
        for (const char* part : {"_x_scale", "_w_scale", "_y_scale"}) scalar(name + part, onnx::TensorProto::FLOAT);
        for (const char* part : {"_x_zero_point", "_w_zero_point", "_y_zero_point"}) scalar(name + part, type);
        onnx::NodeProto* node = graph->add_node();
        node->set_name(name);
        node->set_op_type("QLinearConv");
        for (const char* part : {"_x", "_x_scale", "_x_zero_point", "_w", "_w_scale", "_w_zero_point", "_y_scale", "_y_zero_point"})
            node->add_input(name + part);
        node->add_output(name + "_y");
        onnx::AttributeProto* pads = node->add_attribute();
        pads->set_name("pads");
        pads->set_type(onnx::AttributeProto::INTS);
        for (long long v : {1, 1, 1, 1}) pads->add_ints(v);
        graph->add_output()->set_name(name + "_y");
    }
    {
        std::ofstream out(file, std::ios::binary);
        REQUIRE(model.SerializeToOstream(&out));
    }
    const ModelLayers m = read_model_layers(file, 1);
    REQUIRE(m.layers.size() == 1);
    CHECK(m.layers[0].name == "signed");
    CHECK(shape_text(m.layers[0].shape) == "1x6x12x10 k4 r3x3 p1");
    REQUIRE(m.skipped.size() == 1);
    CHECK(m.skipped[0].node == "unsigned");
    CHECK(m.skipped[0].reason == "UINT8 tensors (int8 codes only, for --precision int8-io or split-int8-io)");
    fs::remove(file);
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
