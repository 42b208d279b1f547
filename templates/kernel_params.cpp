// The parameter table, and everything derived from it that is not a flag.
#include "templates/kernel_params.hpp"

#include "generator/checked.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace wino {
namespace {

using Needs = ParamConstraint::Needs;
using K = KernelKind;

long long threads(const ParamValue& v) { return 1LL * v[0] * v[1]; }

std::string over_workgroup_limit(long long wanted, const ParamContext& c) {
    return wanted > c.limits->max_workgroup_size
               ? fmt::format("a workgroup of {} threads exceeds the device limit {}", wanted, c.limits->max_workgroup_size)
               : "";
}

// No API runs more than 1024 threads in a workgroup, whatever the device.
std::string over_api_limit(const char* flag, const ParamValue& v) {
    return threads(v) > 1024 ? fmt::format("{} {}x{} is {} threads, more than the 1024 a workgroup may have", flag, v[0], v[1], threads(v))
                             : std::string();
}

const std::vector<ParamSpec> table = {
    {"unroll", "--unroll", "transform loop unroll: 1, 2, 4, 6, ... or full", ParamType::unroll, "u", {}, {0, 0}, {}, 1, 1024, {{0, 0}, {1, 0}, {2, 0}, {4, 0}, {6, 0}},
     {K::filter_transform, K::input_transform, K::output_transform, K::fused}, {}},
    {"workgroup_size", "--workgroup-size", "threads per workgroup of the transform and direct kernels", ParamType::count,
     "wg", {}, {64, 0}, {}, 1, 1024, {{32, 0}, {64, 0}, {128, 0}}, {K::filter_transform, K::input_transform, K::output_transform, K::direct},
     {{Needs::device, [](const KernelParams& p, const ParamContext& c) { return over_workgroup_limit(p["workgroup_size"][0], c); }}}},
    {"gemm_threads", "--gemm-threads", "GEMM workgroup threads along K,P", ParamType::pair, "t", {"K", "P"}, {1, 8},
     {{Backend::cuda, {2, 32}}},  // a warp along p: U is one broadcast per warp, V and M coalesce (unmeasured)
     1, 1024, {{1, 8}, {8, 1}, {2, 32}, {4, 16}}, {K::gemm},
     {{Needs::value, [](const KernelParams& p, const ParamContext&) { return over_api_limit("--gemm-threads", p["gemm_threads"]); }},
      {Needs::device, [](const KernelParams& p, const ParamContext& c) { return over_workgroup_limit(threads(p["gemm_threads"]), c); }}},
     "cublas"},
    // CUDA: the running sums and the block's partial sums (product_sum_block)
    // of 16x8 are 256 values, past the 255 registers a thread; 8x8 is 128.
    {"gemm_registers", "--gemm-registers", "GEMM register tile along K,P (multiples of 4)", ParamType::pair, "r", {"K", "P"}, {16, 8},
     {{Backend::cuda, {8, 8}}},
     4, 64, {{16, 8}, {8, 8}, {16, 4}, {8, 16}, {4, 4}}, {K::gemm},
     {{Needs::value, [](const KernelParams& p, const ParamContext&) {
          const ParamValue& v = p["gemm_registers"];
          return v[0] % 4 || v[1] % 4
                     ? fmt::format("--gemm-registers must be multiples of 4 (U and V are read 4 at a time), not {}x{}", v[0], v[1])
                     : std::string();
      }},
      // A thread's sums, running and partial: past 256 every GPU spills (255
      // registers a thread at most on NVIDIA), and the compilers take minutes
      // (64x32: 7 s on lavapipe, 64x64: no end).
      {Needs::value, [](const KernelParams& p, const ParamContext&) {
          const ParamValue& v = p["gemm_registers"];
          return 2 * threads(v) > 256
                     ? fmt::format("--gemm-registers {}x{} holds {} sums a thread (running and partial), more than 256",
                                   v[0], v[1], 2 * threads(v))
                     : std::string();
      }}},
     "cublas"},
    {"cublas", "--cublas", "the non-fused product by the vendor's BLAS (CUDA: cuBLAS strided-batched SGEMM) "
     "instead of the GEMM kernel: on or off", ParamType::flag, "cublas", {}, {0, 0}, {}, 0, 1, {{0, 0}, {1, 0}}, {K::gemm},
     {{Needs::device, [](const KernelParams& p, const ParamContext& c) {
          return p["cublas"][0] && !c.limits->vendor_gemm ? std::string("--cublas needs a device whose API has cuBLAS (CUDA)")
                                                          : std::string();
      }}}},
    {"fused_tile", "--fused-tile", "fused workgroup: filters,tiles", ParamType::pair, "f", {"FILTERS", "TILES"}, {16, 4}, {}, 1, 1024,
     {{16, 4}, {8, 8}, {32, 2}}, {K::fused},
     {{Needs::value, [](const KernelParams& p, const ParamContext&) { return over_api_limit("--fused-tile", p["fused_tile"]); }},
      {Needs::device, [](const KernelParams& p, const ParamContext& c) { return over_workgroup_limit(threads(p["fused_tile"]), c); }},
      {Needs::device, [](const KernelParams& p, const ParamContext& c) {
          if (!c.shape) return std::string();
          const long long bytes = 1LL * p["fused_tile"][1] * (c.m.h + c.shape->R - 1) * (c.m.w + c.shape->S - 1) * 4;
          return bytes > static_cast<long long>(c.limits->max_shared_bytes)
                     ? fmt::format("the fused kernel needs {} bytes of shared memory, the device has {}", bytes,
                                   c.limits->max_shared_bytes)
                     : std::string();
      }}}},
    // 4 moves V and M 4 values at a time (cheap on lavapipe); 1 keeps registers
    // low (CUDA spills at alpha 8).
    {"transform_tiles", "--transform-tiles", "tiles per input/output transform thread: 1 or 4", ParamType::count, "tt", {},
     {4, 0}, {{Backend::cuda, {1, 0}}}, 1, 4, {{1, 0}, {4, 0}}, {K::input_transform, K::output_transform},
     {{Needs::value, [](const KernelParams& p, const ParamContext&) {
          const int tiles = p["transform_tiles"][0];
          return tiles == 1 || tiles == 4 ? std::string()
                                          : fmt::format("--transform-tiles must be 1 or 4, not {}", tiles);
      }}}},
    {"vector_rows", "--vector-rows", "store output rows 4 values at a time: on or off (needs the tile's width m_w "
     "and the output width to be multiples of 4)", ParamType::flag, "vr", {}, {0, 0}, {}, 0, 1, {{0, 0}, {1, 0}}, {K::output_transform},
     {{Needs::layer, [](const KernelParams& p, const ParamContext& c) {
          if (!p["vector_rows"][0] || (c.m.w % 4 == 0 && c.shape->out_w() % 4 == 0)) return std::string();
          return fmt::format("vector output rows need the tile's and the output's width to be multiples of 4, not {} and {}",
                             c.m.w, c.shape->out_w());
      }}}},
};

std::size_t index_of(std::string_view name) {
    for (std::size_t i = 0; i < table.size(); ++i)
        if (table[i].name == name) return i;
    throw std::logic_error(fmt::format("no tuning parameter '{}'", name));
}

int number(const ParamSpec& spec, const std::string& text) {
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
        throw InputError(fmt::format("{} takes numbers from {} to {}, not '{}'", spec.flag, spec.min, spec.max, text));
    return std::stoi(text);
}

bool shapes_any(const ParamSpec& spec, const std::vector<KernelKind>& kinds) {
    return std::any_of(kinds.begin(), kinds.end(), [&](KernelKind k) { return applies_to(spec, k); });
}

std::string out_of_range(const ParamSpec& spec, const ParamValue& v) {
    const int count = spec.type == ParamType::pair ? 2 : 1;
    for (int i = 0; i < count; ++i) {
        if (spec.type == ParamType::unroll && v[i] == 0) continue;
        if (v[i] < spec.min || v[i] > spec.max)
            return fmt::format("{} must be {} to {}{}, not {}", spec.flag, spec.min, spec.max,
                               spec.type == ParamType::unroll ? " or full" : count == 2 ? " each" : "",
                               value_text(spec, v));
    }
    return "";
}

}  // namespace

const std::vector<ParamSpec>& param_table() { return table; }

const ParamSpec& param_spec(std::string_view name) { return table[index_of(name)]; }

KernelParams::KernelParams(Backend backend) {
    for (const ParamSpec& spec : table) {
        ParamValue value = spec.value;
        for (const auto& [b, v] : spec.backend_values)
            if (b == backend) value = v;
        values_.push_back(value);
    }
}

const ParamValue& KernelParams::operator[](std::string_view name) const { return values_[index_of(name)]; }
ParamValue& KernelParams::operator[](std::string_view name) { return values_[index_of(name)]; }

KernelParams default_params(Backend backend) { return KernelParams(backend); }

bool applies_to(const ParamSpec& spec, KernelKind kind) {
    return std::find(spec.kinds.begin(), spec.kinds.end(), kind) != spec.kinds.end();
}

std::string value_text(const ParamSpec& spec, const ParamValue& v) {
    switch (spec.type) {
        case ParamType::count: return std::to_string(v[0]);
        case ParamType::pair: return fmt::format("{}x{}", v[0], v[1]);
        case ParamType::unroll: return v[0] ? std::to_string(v[0]) : "full";
        case ParamType::flag: return v[0] ? "on" : "off";
    }
    throw std::logic_error("unknown parameter type");
}

ParamValue parse_value(const ParamSpec& spec, const std::string& text) {
    switch (spec.type) {
        case ParamType::count: return {number(spec, text), 0};
        case ParamType::unroll: {
            if (text == "full") return {0, 0};
            const int factor = number(spec, text);  // 0 is how "full" is held, not a factor
            if (factor == 0) throw InputError(fmt::format("{} must be {} to {} or full, not 0", spec.flag, spec.min, spec.max));
            return {factor, 0};
        }
        case ParamType::pair: {
            const std::size_t comma = text.find(',');
            if (comma == std::string::npos) throw InputError(fmt::format("{} takes two numbers A,B, not '{}'", spec.flag, text));
            return {number(spec, text.substr(0, comma)), number(spec, text.substr(comma + 1))};
        }
        case ParamType::flag:
            if (text == "on" || text == "true" || text == "1") return {1, 0};
            if (text == "off" || text == "false" || text == "0") return {0, 0};
            throw InputError(fmt::format("{} takes on or off, not '{}'", spec.flag, text));
    }
    throw std::logic_error("unknown parameter type");
}

std::string defines_of(const ParamSpec& spec, const ParamValue& v) {
    std::string name = std::string("WINO_") + spec.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    if (spec.type != ParamType::pair) return fmt::format("#define {} {}\n", name, v[0]);
    return fmt::format("#define {0}_{1} {2}\n#define {0}_{3} {4}\n", name, spec.parts[0], v[0], spec.parts[1], v[1]);
}

std::string name_part(const ParamSpec& spec, const ParamValue& v) {
    if (spec.type == ParamType::flag) return v[0] ? spec.tag : "";
    return spec.tag + value_text(spec, v);
}

nlohmann::ordered_json to_json(const KernelParams& params) {
    nlohmann::ordered_json j;
    for (const ParamSpec& spec : table) {
        const ParamValue& v = params[spec.name];
        switch (spec.type) {
            case ParamType::count: j[spec.name] = v[0]; break;
            case ParamType::pair: j[spec.name] = {v[0], v[1]}; break;
            case ParamType::unroll: j[spec.name] = value_text(spec, v); break;
            case ParamType::flag: j[spec.name] = v[0] != 0; break;
        }
    }
    return j;
}

KernelParams params_from_json(const nlohmann::json& j, KernelParams params) {
    if (!j.is_object()) throw InputError(fmt::format("a kernel configuration must be a JSON object, not {}", j.dump()));
    for (const auto& item : j.items()) {
        const std::string key = item.key();  // not a structured binding: lambdas below take them (clang 14)
        const nlohmann::json& v = item.value();
        const auto spec = std::find_if(table.begin(), table.end(), [&](const ParamSpec& s) { return key == s.name; });
        if (spec == table.end()) throw InputError(fmt::format("unknown kernel parameter '{}'", key));
        auto bad = [&] { return InputError(fmt::format("kernel parameter '{}' cannot be {}", key, v.dump())); };
        ParamValue& value = params[key];
        switch (spec->type) {
            case ParamType::count:
                value = {static_cast<int>(json_integer(v, spec->min, spec->max, fmt::format("kernel parameter '{}'", key))), 0};
                break;
            case ParamType::pair:
                if (!v.is_array() || v.size() != 2) throw bad();
                value = {static_cast<int>(json_integer(v[0], spec->min, spec->max, fmt::format("kernel parameter '{}'", key))),
                         static_cast<int>(json_integer(v[1], spec->min, spec->max, fmt::format("kernel parameter '{}'", key)))};
                break;
            case ParamType::unroll:
                if (!v.is_string()) throw bad();
                value = parse_value(*spec, v.get<std::string>());
                break;
            case ParamType::flag:
                if (!v.is_boolean()) throw bad();
                value = {v.get<bool>() ? 1 : 0, 0};
                break;
        }
    }
    return params;
}

void check_params(const KernelParams& params, const ParamContext& context) {
    for (const ParamSpec& spec : table) {
        if (const std::string why = out_of_range(spec, params[spec.name]); !why.empty()) throw InputError(why);
        for (const ParamConstraint& c : spec.constraints) {
            if (c.needs != Needs::value && !shapes_any(spec, context.kinds)) continue;
            if ((c.needs == Needs::layer && !context.shape) || (c.needs == Needs::device && !context.limits)) continue;
            const std::string why = c.violation(params, context);
            if (why.empty()) continue;
            if (c.needs == Needs::device) throw DeviceError(why);
            throw InputError(why);
        }
    }
}

}  // namespace wino
