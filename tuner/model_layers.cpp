// Conv nodes of an ONNX model, through libonnx's protobuf classes and shape inference.
// protobuf's headers come before CLN's: cln/number.h defines a macro named
// Mutable, a name protobuf uses.
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "tuner/model_layers.hpp"

#include <wino/errors.hpp>
#include "generator/stable_hash.hpp"
#include "recipes/recipe_db.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <climits>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

namespace wino {
namespace {

// A dimension: its value, or the name of a symbolic one.
struct Dim {
    std::optional<long long> value;
    std::string symbol;
};

struct TensorInfo {
    int elem_type = 0;
    std::vector<Dim> dims;
};

std::map<std::string, TensorInfo> tensor_infos(const onnx::GraphProto& g) {
    std::map<std::string, TensorInfo> infos;
    auto add = [&](const onnx::ValueInfoProto& v) {
        if (!v.type().has_tensor_type()) return;
        const onnx::TypeProto_Tensor& t = v.type().tensor_type();
        TensorInfo info{t.elem_type(), {}};
        if (!t.has_shape()) return;  // rank unknown
        for (const onnx::TensorShapeProto_Dimension& d : t.shape().dim())
            info.dims.push_back(d.has_dim_value() ? Dim{d.dim_value(), ""} : Dim{std::nullopt, d.dim_param()});
        infos[v.name()] = info;
    };
    for (const auto& v : g.input()) add(v);
    for (const auto& v : g.value_info()) add(v);
    for (const auto& v : g.output()) add(v);
    for (const onnx::TensorProto& t : g.initializer()) {
        TensorInfo info{t.data_type(), {}};
        for (long long d : t.dims()) info.dims.push_back({d, ""});
        infos[t.name()] = info;
    }
    return infos;
}

std::vector<long long> ints(const onnx::NodeProto& node, const std::string& name) {
    for (const onnx::AttributeProto& a : node.attribute())
        if (a.name() == name) return {a.ints().begin(), a.ints().end()};
    return {};
}

std::optional<long long> int_attribute(const onnx::NodeProto& node, const std::string& name) {
    for (const onnx::AttributeProto& a : node.attribute())
        if (a.name() == name) return a.i();
    return std::nullopt;
}

std::string string_attribute(const onnx::NodeProto& node, const std::string& name) {
    for (const onnx::AttributeProto& a : node.attribute())
        if (a.name() == name) return a.s();
    return "";
}

bool all_ones(const std::vector<long long>& v) {
    return std::all_of(v.begin(), v.end(), [](long long x) { return x == 1; });
}

std::string joined(const std::vector<long long>& v, const char* separator) { return fmt::format("{}", fmt::join(v, separator)); }

bool winograd_r(long long r) {
    const std::vector<std::pair<int, int>> configs = standard_configs();
    return std::any_of(configs.begin(), configs.end(), [&](const auto& c) { return c.second == r; });
}

// The layer of a Conv node, or why there is none.
struct ConvLayer {
    std::optional<ConvShape> shape;
    std::string reason;
};

// The convolutions read as layers: Conv on float tensors, and QLinearConv on
// int8 codes (precision int8-io's, ONNX's QLinearConv contract), whose
// weights are its fourth input (after x, x_scale and x_zero_point).
struct ConvOp {
    const char* op_type;
    int weights_input;
    int elem_type;
    const char* tensors;
};
constexpr std::array<ConvOp, 2> conv_ops = {{{"Conv", 1, onnx::TensorProto::FLOAT, "fp32 only"},
                                             {"QLinearConv", 3, onnx::TensorProto::INT8, "int8 codes only, for --precision int8-io or split-int8-io"}}};

const ConvOp* conv_op(const onnx::NodeProto& node) {
    if (!(node.domain().empty() || node.domain() == "ai.onnx")) return nullptr;
    for (const ConvOp& op : conv_ops)
        if (node.op_type() == op.op_type) return &op;
    return nullptr;
}

ConvLayer conv_layer(const onnx::NodeProto& node, const ConvOp& op, const std::map<std::string, TensorInfo>& infos, int batch) {
    auto skip = [](std::string why) { return ConvLayer{std::nullopt, std::move(why)}; };
    if (node.input_size() <= op.weights_input) return skip(fmt::format("a {} node without weights", op.op_type));
    const auto x = infos.find(node.input(0)), w = infos.find(node.input(op.weights_input));
    if (x == infos.end()) return skip(fmt::format("the shape of its input '{}' is unknown after shape inference", node.input(0)));
    if (w == infos.end()) return skip(fmt::format("the shape of its weights '{}' is unknown", node.input(op.weights_input)));
    if (x->second.elem_type != op.elem_type)
        return skip(fmt::format("{} tensors ({})",
                                onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(x->second.elem_type)),
                                op.tensors));
    const std::size_t rank = x->second.dims.size();
    if (rank != 4 && rank != 3) return skip(fmt::format("a rank-{} input (2D NCHW or 1D NCW only)", rank));
    if (const long long group = int_attribute(node, "group").value_or(1); group != 1)
        return skip(fmt::format("a grouped convolution (group {})", group));
    if (const std::vector<long long> s = ints(node, "strides"); !all_ones(s)) return skip(fmt::format("stride {}", joined(s, "x")));
    if (const std::vector<long long> d = ints(node, "dilations"); !all_ones(d))
        return skip(fmt::format("dilation {}", joined(d, "x")));

    std::vector<long long> input;
    for (std::size_t i = 0; i < rank; ++i) {
        const Dim& d = x->second.dims[i];
        if (d.value) input.push_back(*d.value);
        else if (i == 0) input.push_back(batch);  // a dynamic batch
        else return skip(fmt::format("its input's dimension {} is not static ('{}')", i, d.symbol));
    }
    // A 1D convolution is the H = R = 1 layer.
    if (rank == 3) input.insert(input.begin() + 2, 1);
    const std::vector<Dim>& wd = w->second.dims;
    if (wd.size() != rank || std::any_of(wd.begin(), wd.end(), [](const Dim& d) { return !d.value; }))
        return skip(rank == 4 ? "its weights' shape is not static KxCxRxS" : "its weights' shape is not static KxCxS");
    const long long K = *wd[0].value, C = *wd[1].value, R = rank == 4 ? *wd[2].value : 1, S = *wd[rank - 1].value;
    if (C != input[1]) return skip(fmt::format("weights for {} channels on an input of {}", C, input[1]));
    if (R == 1 && S == 1) return skip("a 1x1 filter: a GEMM, not Winograd");
    for (const long long size : {R, S})
        if (size > 1 && !winograd_r(size)) return skip(fmt::format("a {}x{} filter: the recipes have no F(m,{})", R, S, size));

    // ONNX pads are the begins of each axis, then the ends: top, left, bottom, right (1D: left, right).
    std::vector<long long> pads(4, 0);
    const std::string auto_pad = string_attribute(node, "auto_pad");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        // At stride 1 the total is the filter size less one; UPPER puts the odd one at the end.
        const bool upper = auto_pad == "SAME_UPPER";
        pads = {upper ? (R - 1) / 2 : R / 2, upper ? (S - 1) / 2 : S / 2, upper ? R / 2 : (R - 1) / 2, upper ? S / 2 : (S - 1) / 2};
    } else if (auto_pad.empty() || auto_pad == "NOTSET") {
        std::vector<long long> given = ints(node, "pads");
        if (given.empty()) given.assign(2 * (rank - 2), 0);
        if (given.size() != 2 * (rank - 2)) return skip(fmt::format("{} pads for a {}D convolution", given.size(), rank - 2));
        pads = rank == 4 ? given : std::vector<long long>{0, given[0], 0, given[1]};
    } else if (auto_pad != "VALID") {
        return skip(fmt::format("auto_pad '{}'", auto_pad));
    }
    const std::vector<long long> sizes = {input[0], input[1], input[2], input[3], K, R, S, pads[0], pads[1], pads[2], pads[3]};
    if (std::any_of(sizes.begin(), sizes.end(), [](long long v) { return v < 0 || v > INT_MAX; }))
        return skip("a size past 2^31 - 1");
    return {ConvShape{int(input[0]), int(input[1]), int(input[2]), int(input[3]), int(K), int(R), int(S),
                      Padding(int(pads[0]), int(pads[2]), int(pads[1]), int(pads[3]))},
            ""};
}

}  // namespace

ModelLayers read_model_layers(const std::filesystem::path& model, int batch) {
    const std::string file = model.string();
    if (std::filesystem::is_directory(model)) throw InputError(fmt::format("model {} is a directory", file));
    std::ifstream in(model, std::ios::binary);
    if (!in) throw InputError(fmt::format("cannot read model {}", file));
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw InputError(fmt::format("cannot read model {}", file));
    onnx::ModelProto proto;
    if (!proto.ParseFromString(bytes) || !proto.has_graph())
        throw InputError(fmt::format("{} is not an ONNX model (no ModelProto with a graph)", file));
    try {
        onnx::shape_inference::InferShapes(proto);
    } catch (const std::exception& e) {
        throw InputError(fmt::format("{}: ONNX shape inference failed: {}", file, e.what()));
    }
    const std::map<std::string, TensorInfo> infos = tensor_infos(proto.graph());
    ModelLayers out;
    out.file_name = model.filename().string();
    out.hash = "fnv1a64:" + stable_hash(bytes);
    std::vector<int> counts;
    for (const onnx::NodeProto& node : proto.graph().node()) {
        const ConvOp* op = conv_op(node);
        if (!op) continue;
        const std::string name = !node.name().empty() ? node.name() : node.output_size() ? node.output(0) : op->op_type;
        const ConvLayer conv = conv_layer(node, *op, infos, batch);
        if (!conv.shape) {
            out.skipped.push_back({name, conv.reason});
            continue;
        }
        out.nodes.push_back({name, *conv.shape});
        const auto seen = std::find_if(out.layers.begin(), out.layers.end(), [&](const NamedLayer& l) { return l.shape == *conv.shape; });
        if (seen != out.layers.end()) {
            ++counts[seen - out.layers.begin()];
            continue;
        }
        out.layers.push_back({name, *conv.shape});
        counts.push_back(1);
    }
    for (std::size_t i = 0; i < out.layers.size(); ++i)
        if (counts[i] > 1) out.layers[i].name += fmt::format(" (x{})", counts[i]);
    return out;
}

}  // namespace wino
