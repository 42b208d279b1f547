// Template filling and the meta-code that writes the unrolled transform loops.
#include "emitter.hpp"

#include "errors.hpp"
#include "recipe_format.hpp"
#include "template_sources.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <regex>
#include <set>

namespace wino {
namespace {

using Index = std::function<std::string(int, const std::string&)>;  // (recipe row, loop index) → expression

// Applies a 1D recipe once per loop iteration j < n, unrolled by `unroll`; each
// copy is its own scope so the recipe's value names do not collide.
std::string recipe_loop(const Recipe& recipe, int n, int unroll, const Index& input, const Index& output,
                        const Dialect& dialect, const std::string& indent) {
    const int u = effective_unroll(n, unroll);
    const bool looped = u < n;
    const std::string body_indent = indent + (looped ? "    " : "");
    const std::vector<std::string> names = recipe.value_names();
    std::string out = looped ? fmt::format("{}for (int j = 0; j < {}; j += {}) {{\n", indent, n, u) : "";
    for (int copy = 0; copy < (looped ? u : n); ++copy) {
        const std::string j = looped ? (copy ? fmt::format("(j + {})", copy) : "j") : std::to_string(copy);
        std::vector<std::string> inputs;
        for (int i = 0; i < recipe.n_inputs; ++i) inputs.push_back(input(i, j));
        out += body_indent + "{\n";
        out += render_statements(recipe, dialect, inputs, body_indent + "    ");
        for (std::size_t i = 0; i < recipe.outputs.size(); ++i)
            out += fmt::format("{}    {} = {};\n", body_indent, output(static_cast<int>(i), j), names[recipe.outputs[i]]);
        out += body_indent + "}\n";
    }
    return looped ? out + indent + "}\n" : out;
}

// The 2D transform of `in` (rows_in × cols_in, row-major) into `out`: the recipe
// over the columns into `mid` (rows_out × cols_in), then over mid's rows.
std::pair<std::string, std::string> transform_2d(const Recipe& recipe, const std::string& in, const std::string& mid,
                                                 const std::string& out, int n_in, int n_out, int unroll,
                                                 const Dialect& dialect, const std::string& indent) {
    auto at = [](const std::string& array, int stride) {
        return [=](int i, const std::string& j) { return fmt::format("{}[{} * {} + {}]", array, i, stride, j); };
    };
    auto at_row = [](const std::string& array, int stride) {
        return [=](int i, const std::string& j) { return fmt::format("{}[{} * {} + {}]", array, j, stride, i); };
    };
    return {recipe_loop(recipe, n_in, unroll, at(in, n_in), at(mid, n_in), dialect, indent),
            recipe_loop(recipe, n_out, unroll, at_row(mid, n_in), at_row(out, n_out), dialect, indent)};
}

constexpr const char* lanes = "xyzw";

// "MAKE_FLOAT4(part(0), part(1), part(2), part(3))": 4 values stored as one.
std::string float4_of(const std::function<std::string(int)>& part) {
    return fmt::format("MAKE_FLOAT4({}, {}, {}, {})", part(0), part(1), part(2), part(3));
}

// One assignment per index i < n: "lhs(i) = rhs(i);", written out because
// shader compilers often keep small arrays in memory when indexed in a loop.
std::string assign_each(int n, const std::function<std::string(int)>& lhs, const std::function<std::string(int)>& rhs,
                        const std::string& indent) {
    std::string out;
    for (int i = 0; i < n; ++i) out += fmt::format("{}{} = {};\n", indent, lhs(i), rhs(i));
    return out;
}

std::function<std::string(int)> element(const std::string& array) {
    return [=](int i) { return fmt::format("{}[{}]", array, i); };
}

// The input patch of a tile with zero padding: every read is clamped into the
// image and the padding selected afterwards, so no read sits under a branch.
std::string patch_load(int alpha, const std::string& indent) {
    std::string out;
    for (int i = 0; i < alpha; ++i)
        out += fmt::format("{1}int row{0} = min(max(top + {0}, 0), p.H - 1);\n{1}bool row{0}_in = row{0} == top + {0};\n",
                           i, indent);
    for (int j = 0; j < alpha; ++j)
        out += fmt::format("{1}int col{0} = min(max(left + {0}, 0), p.W - 1);\n{1}bool col{0}_in = col{0} == left + {0};\n",
                           j, indent);
    for (int i = 0; i < alpha; ++i)
        for (int j = 0; j < alpha; ++j)
            out += fmt::format("{3}float pixel{0}_{1} = FETCH(images, (plane + row{0}) * p.W + col{1});\n"
                               "{3}d[{2}] = row{0}_in && col{1}_in ? pixel{0}_{1} : 0.0f;\n", i, j, i * alpha + j, indent);
    return out;
}

// The m×m output block from its last element to its first, rows and columns
// clamped into the output (see output_tile.tmpl); with vector rows, each row
// as m/4 groups of 4 (the output width is a multiple of 4, so they are aligned).
std::string block_store(int m, bool vector_rows, const std::string& indent) {
    std::string out;
    if (vector_rows) {
        for (int i = m - 1; i >= 0; --i)
            for (int q = m / 4 - 1; q >= 0; --q)
                out += fmt::format("{}result[((out_base + min(th * {} + {}, p.out_h - 1)) * p.out_w) / 4 + "
                                   "min(tw * {} + {}, p.out_w / 4 - 1)] = {};\n",
                                   indent, m, i, m / 4, q,
                                   float4_of([&](int e) { return fmt::format("y[{}]", i * m + 4 * q + e); }));
        return out;
    }
    for (int i = m - 1; i >= 0; --i)
        for (int j = m - 1; j >= 0; --j)
            out += fmt::format("{4}result[(out_base + min(th * {0} + {1}, p.out_h - 1)) * p.out_w + min(tw * {0} + {2}, p.out_w - 1)] = y[{3}];\n",
                               m, i, j, i * m + j, indent);
    return out;
}


// The GEMM's register tile as scalars: 4-wide loads of U and V groups, then the
// outer-product FMAs, then 4-wide stores at the (clamped) elements they are.
std::map<std::string, std::string> gemm_values(const KernelParams& p) {
    const int kq = p.gemm_reg_k / 4, pq = p.gemm_reg_p / 4;
    std::string declare, multiply, store;
    for (int i = 0; i < kq; ++i) declare += fmt::format("    int k_quad{0} = min(k_first + {0}, p.k_quads - 1);\n", i);
    for (int j = 0; j < pq; ++j)
        declare += fmt::format("    int p_quad{0} = min(p_first + {1}, p.p_quads - 1);\n", j, j * p.gemm_wg_p);
    for (int i = 0; i < p.gemm_reg_k; ++i)
        for (int j = 0; j < p.gemm_reg_p; ++j) declare += fmt::format("    float acc{}_{} = 0.0f;\n", i, j);
    for (int i = 0; i < kq; ++i)
        multiply += fmt::format("        FLOAT4 a{0} = FETCH4(u, u_base + c * p.k_quads + k_quad{0});\n", i);
    for (int j = 0; j < pq; ++j)
        multiply += fmt::format("        FLOAT4 b{0} = FETCH4(v, v_base + c * p.p_quads + p_quad{0});\n", j);
    for (int i = 0; i < p.gemm_reg_k; ++i)
        for (int j = 0; j < p.gemm_reg_p; ++j)
            multiply += fmt::format("        acc{0}_{1} = FMA(a{2}.{3}, b{4}.{5}, acc{0}_{1});\n", i, j, i / 4, lanes[i % 4],
                                    j / 4, lanes[j % 4]);
    for (int i = 0; i < p.gemm_reg_k; ++i)
        store += fmt::format("    int row{0} = (xi * p.K + min(k_quad{1} * 4 + {2}, p.K - 1)) * p.p_quads;\n", i, i / 4, i % 4);
    for (int i = 0; i < p.gemm_reg_k; ++i)
        for (int j = 0; j < pq; ++j)
            store += fmt::format("    product[row{} + p_quad{}] = {};\n", i, j,
                                 float4_of([&](int e) { return fmt::format("acc{}_{}", i, 4 * j + e); }));
    return {{"wg_k", std::to_string(p.gemm_wg_k)}, {"wg_p", std::to_string(p.gemm_wg_p)},
            {"reg_k_quads", std::to_string(kq)}, {"reg_p_quads", std::to_string(pq)},
            {"declare", declare}, {"multiply", multiply}, {"store", store}};
}

Dialect dialect_of(Backend backend) {
    return backend == Backend::glsl ? Dialect{"float", "FMA"} : Dialect{"const float", "FMA"};
}

std::vector<BufferSpec> buffers_of(KernelKind kind, const KernelParams& p) {
    switch (kind) {
        case KernelKind::filter_transform: return {{"filters", false}, {"u", true}};
        case KernelKind::input_transform: return {{"images", false}, {"v", true, p.transform_tiles}};
        case KernelKind::gemm: return {{"u", false, 4}, {"v", false, 4}, {"product", true, 4}};
        case KernelKind::output_transform:
            return {{"product", false, p.transform_tiles}, {"result", true, p.vector_rows ? 4 : 1}};
        case KernelKind::fused: return {{"images", false}, {"u", false}, {"result", true}};
        case KernelKind::direct: return {{"images", false}, {"filters", false}, {"result", true}};
    }
    return {};
}

const char* template_of(KernelKind kind) {
    switch (kind) {
        case KernelKind::filter_transform: return template_filter_transform();
        case KernelKind::input_transform: return template_input_transform();
        case KernelKind::gemm: return template_gemm();
        case KernelKind::output_transform: return template_output_transform();
        case KernelKind::fused: return template_fused();
        case KernelKind::direct: return template_direct();
    }
    return "";
}

int workgroup_size_of(KernelKind kind, const KernelParams& p) {
    switch (kind) {
        case KernelKind::gemm: return p.gemm_wg_k * p.gemm_wg_p;
        case KernelKind::fused: return p.fused_wg_k * p.fused_wg_p;
        default: return p.workgroup_size;
    }
}

std::string interface_glsl(const std::vector<BufferSpec>& buffers, int workgroup_size) {
    std::string out = fmt::format("#version 450\nlayout(local_size_x = {}) in;\n", workgroup_size);
    for (std::size_t b = 0; b < buffers.size(); ++b)
        out += buffers[b].writes ? fmt::format("layout(std430, binding = {}) writeonly buffer Buffer{} {{ {} {}[]; }};\n",
                                               b, b, buffers[b].width == 4 ? "vec4" : "float", buffers[b].name)
                                 : fmt::format("layout(binding = {}) uniform samplerBuffer {};\n", b, buffers[b].name);
    std::string fields;
    for (const std::string& name : kernel_parameter_names()) fields += fmt::format(" int {};", name);
    return out + fmt::format("layout(push_constant) uniform Params {{{} }} p;\n", fields);
}

std::string interface_cuda(const std::string& name, const std::vector<BufferSpec>& buffers, int workgroup_size) {
    std::string fields, args;
    for (const std::string& field : kernel_parameter_names()) fields += fmt::format(" int {};", field);
    for (const BufferSpec& b : buffers)
        args += b.writes ? fmt::format("{}* __restrict__ {}, ", b.width == 4 ? "float4" : "float", b.name)
                         : fmt::format("const float* __restrict__ {}, ", b.name);
    // One resident block is the minimum asked of ptxas, so it may use the registers it needs.
    return fmt::format("struct Params {{{} }};\n#define KERNEL_NAME __launch_bounds__({}, 1) {}\n#define KERNEL_ARGS {}Params p\n",
                       fields, workgroup_size, name, args);
}

std::string header(KernelKind kind, const RecipeSet* s, int r, const KernelParams& p, Backend backend, int wg) {
    std::string out = fmt::format("// wino-gen {} kernel, {}.\n", to_string(kind), backend == Backend::glsl ? "GLSL" : "CUDA");
    if (s) {
        const ToomCook1D& a = s->algorithm;
        out += fmt::format("// Winograd F({}x{},{}x{}), alpha {}, points {}.\n", a.m, a.m, a.r, a.r, a.alpha,
                           fmt::join(point_strings(a.points), ", "));
        out += fmt::format("// 1D recipe ops (add/mul/fma): input {}/{}/{}, filter {}/{}/{}, output {}/{}/{}.\n",
                           s->input.counts().add, s->input.counts().mul, s->input.counts().fma, s->filter.counts().add,
                           s->filter.counts().mul, s->filter.counts().fma, s->output.counts().add,
                           s->output.counts().mul, s->output.counts().fma);
    } else {
        out += fmt::format("// Direct {}x{} convolution.\n", r, r);
    }
    return out + fmt::format("// Tuning: unroll {}, workgroup {}, gemm tile {}x{} threads x {}x{} registers, fused {}x{}, "
                             "{} tile(s) per transform thread{}.\n",
                             p.unroll ? std::to_string(p.unroll) : std::string("full"), wg, p.gemm_wg_k, p.gemm_wg_p,
                             p.gemm_reg_k, p.gemm_reg_p, p.fused_wg_k, p.fused_wg_p, p.transform_tiles,
                             p.vector_rows ? ", output rows by 4" : "");
}

using Values = std::map<std::string, std::string>;

// One copy of `tile_template` per tile e of a transform thread's group, each
// filled with the group's values and those of values_of(e).
std::string tile_copies(const char* tile_template, const RecipeSet& s, const KernelParams& p,
                        const std::function<Values(int)>& values_of) {
    std::string out;
    for (int e = 0; e < p.transform_tiles; ++e) {
        Values tile = values_of(e);
        tile.insert({{"e", std::to_string(e)}, {"alpha", std::to_string(s.algorithm.alpha)},
                     {"m", std::to_string(s.algorithm.m)}, {"group", std::to_string(p.transform_tiles)}});
        out += fill_template(tile_template, tile);
    }
    return out;
}

Values values_for(KernelKind kind, const RecipeSet* s, int r, const KernelParams& p, const Dialect& d) {
    if (kind == KernelKind::direct) return {{"r", std::to_string(r)}};
    if (kind == KernelKind::gemm) return gemm_values(p);
    const int m = s->algorithm.m, alpha = s->algorithm.alpha;
    const std::string in8(8, ' '), in12(12, ' '), in4(4, ' ');
    Values v{{"alpha", std::to_string(alpha)}};
    switch (kind) {
        case KernelKind::filter_transform:
            v["r"] = std::to_string(r);
            v["load"] = assign_each(r * r, element("g"), [](int i) { return fmt::format("FETCH(filters, g_base + {})", i); }, in4);
            std::tie(v["columns"], v["rows"]) = transform_2d(s->filter, "g", "gg", "ut", r, alpha, p.unroll, d, in4);
            v["store"] = assign_each(alpha * alpha, [](int xi) { return fmt::format("u[({} * p.C + c) * columns + column]", xi); },
                                     element("ut"), in4);
            return v;
        case KernelKind::input_transform: {
            const std::string tiles = tile_copies(template_input_tile(), *s, p, [&](int e) {
                Values tile{{"load", patch_load(alpha, in8)}};
                std::tie(tile["columns"], tile["rows"]) =
                    transform_2d(s->input, "d", "bd", fmt::format("vt{}", e), alpha, alpha, p.unroll, d, in8);
                return tile;
            });
            const std::string store = assign_each(
                alpha * alpha, [](int xi) { return fmt::format("v[({} * p.C + c) * groups + group]", xi); },
                [&](int xi) {
                    auto tile = [xi](int e) { return fmt::format("vt{}[{}]", e, xi); };
                    return p.transform_tiles == 4 ? float4_of(tile) : tile(0);
                },
                in4);
            return {{"tiles", tiles}, {"store", store}, {"group", std::to_string(p.transform_tiles)}};
        }
        case KernelKind::output_transform: {
            const bool grouped = p.transform_tiles == 4;
            const std::string load = assign_each(
                alpha * alpha, [&](int xi) { return fmt::format("{} mq{}", grouped ? "FLOAT4" : "float", xi); },
                [&](int xi) { return fmt::format("{}(product, ({} * p.K + k) * groups + group)", grouped ? "FETCH4" : "FETCH", xi); },
                in4);
            const std::string tiles = tile_copies(template_output_tile(), *s, p, [&](int e) {
                Values tile{{"store", block_store(m, p.vector_rows, in8)}};
                tile["pick"] = assign_each(alpha * alpha, element("mt"), [&](int xi) {
                    return grouped ? fmt::format("mq{}.{}", xi, lanes[e]) : fmt::format("mq{}", xi);
                }, in8);
                std::tie(tile["columns"], tile["rows"]) = transform_2d(s->output, "mt", "am", "y", alpha, m, p.unroll, d, in8);
                return tile;
            });
            return {{"load", load}, {"tiles", tiles}, {"group", std::to_string(p.transform_tiles)}};
        }
        case KernelKind::fused: {
            v["m"] = std::to_string(m);
            v["wg_k"] = std::to_string(p.fused_wg_k);
            v["wg_p"] = std::to_string(p.fused_wg_p);
            v["wg_size"] = std::to_string(p.fused_wg_k * p.fused_wg_p);
            // One 1D transform per job: a column of a patch (stride alpha), then a row.
            auto strided = [alpha](const std::string& array) {
                return [=](int i, const std::string&) { return fmt::format("{}[base + {} * {}]", array, i, alpha); };
            };
            auto contiguous = [](const std::string& array) {
                return [=](int i, const std::string&) { return fmt::format("{}[base + {}]", array, i); };
            };
            v["input_columns"] = recipe_loop(s->input, 1, 0, strided("patches"), strided("half_done"), d, in12);
            v["input_rows"] = recipe_loop(s->input, 1, 0, contiguous("half_done"), contiguous("patches"), d, in12);
            std::tie(v["output_columns"], v["output_rows"]) =
                transform_2d(s->output, "acc", "am", "y", alpha, m, p.unroll, d, in4);
            break;
        }
        default: break;
    }
    return v;
}

std::string kernel_name(KernelKind kind, const RecipeSet* s, int r) {
    return s ? fmt::format("winograd_f{}_{}_{}", s->algorithm.m, s->algorithm.r, to_string(kind))
             : fmt::format("direct_r{}", r);
}

}  // namespace

Backend parse_backend(const std::string& name) {
    if (name == "glsl" || name == "vulkan") return Backend::glsl;
    if (name == "cuda") return Backend::cuda;
    throw InputError(fmt::format("--backend must be glsl or cuda, not '{}'", name));
}

Variant parse_variant(const std::string& name) {
    if (name == "fused") return Variant::fused;
    if (name == "nonfused") return Variant::nonfused;
    if (name == "direct") return Variant::direct;
    throw InputError(fmt::format("--variant must be fused or nonfused (or direct), not '{}'", name));
}

const char* to_string(KernelKind kind) {
    switch (kind) {
        case KernelKind::filter_transform: return "filter_transform";
        case KernelKind::input_transform: return "input_transform";
        case KernelKind::gemm: return "gemm";
        case KernelKind::output_transform: return "output_transform";
        case KernelKind::fused: return "fused";
        case KernelKind::direct: return "direct";
    }
    return "?";
}

const char* to_string(Variant variant) {
    switch (variant) {
        case Variant::fused: return "fused";
        case Variant::nonfused: return "nonfused";
        case Variant::direct: return "direct";
    }
    return "?";
}

const std::vector<std::string>& kernel_parameter_names() {
    // k_quads, p_quads: K and P in groups of 4, the padded widths of U and V.
    static const std::vector<std::string> names = {"N", "C", "H", "W", "K", "pad", "out_h", "out_w",
                                                   "tiles_h", "tiles_w", "P", "k_quads", "p_quads"};
    return names;
}

// CUDA's figures are a starting point, not measured (no GPU here): a warp along
// p, so U is one broadcast per warp and V and M accesses coalesce.
KernelParams default_params(Backend backend) {
    KernelParams p;
    if (backend == Backend::cuda) {
        p.transform_tiles = 1;
        p.gemm_wg_k = 2;
        p.gemm_wg_p = 32;
    }
    return p;
}

void validate_params(const KernelParams& p) {
    for (auto [name, value] : {std::pair{"workgroup size", p.workgroup_size}, {"GEMM threads along K", p.gemm_wg_k},
                               {"GEMM threads along P", p.gemm_wg_p}, {"GEMM registers along K", p.gemm_reg_k},
                               {"GEMM registers along P", p.gemm_reg_p}, {"fused filters", p.fused_wg_k},
                               {"fused tiles", p.fused_wg_p}})
        if (value < 1) throw InputError(fmt::format("{} must be at least 1, got {}", name, value));
    if (p.transform_tiles != 1 && p.transform_tiles != 4)
        throw InputError(fmt::format("tiles per transform thread must be 1 or 4, got {}", p.transform_tiles));
    if (p.gemm_reg_k % 4 || p.gemm_reg_p % 4)
        throw InputError(fmt::format("the GEMM register tile must be multiples of 4 (U and V are read 4 at a time), got {}x{}",
                                     p.gemm_reg_k, p.gemm_reg_p));
}

int parse_unroll(const std::string& text) {
    if (text == "full") return 0;
    if (!text.empty() && text.size() < 6 && text.find_first_not_of("0123456789") == std::string::npos && std::stoi(text) >= 1)
        return std::stoi(text);
    throw InputError(fmt::format("--unroll must be a positive number or 'full', not '{}'", text));
}

// EuroSys'20 §3.2.1: the divisor closest to the request (ties to the larger);
// the trivial divisor 1 counts only when asked for, so a prime count unrolls fully.
int effective_unroll(int n, int requested) {
    if (requested <= 0 || requested >= n) return n;
    if (requested == 1) return 1;
    int best = n;
    for (int d = n - 1; d >= 2; --d)
        if (n % d == 0 && std::abs(d - requested) < std::abs(best - requested)) best = d;
    return best;
}

std::string fill_template(const std::string& text, const std::map<std::string, std::string>& values) {
    static const std::regex placeholder(R"(%\(([a-z_0-9]+)\))");
    std::string out;
    std::set<std::string> used;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) {
        const std::string name = (*it)[1].str();
        auto value = values.find(name);
        if (value == values.end()) throw std::logic_error(fmt::format("template placeholder %({}) has no value", name));
        used.insert(name);
        out.append(last, text.cbegin() + it->position());
        out += value->second;
        last = text.cbegin() + it->position() + it->length();
    }
    out.append(last, text.cend());
    for (const auto& [name, value] : values)
        if (!used.count(name)) throw std::logic_error(fmt::format("template value '{}' has no placeholder", name));
    return out;
}

std::string emit_transform_header(const RecipeSet& s) {
    const ToomCook1D& a = s.algorithm;
    std::string out = fmt::format(
        "// wino-gen: Winograd F({},{}) 1D transforms, points {}.\n"
        "// Each computes y = M x for its exact (scaled) matrix; x and y are strided vectors.\n"
        "#pragma once\n#include <math.h>\n#ifdef __CUDACC__\n#define WINO_HD __host__ __device__ inline\n#else\n"
        "#define WINO_HD inline\n#endif\n",
        a.m, a.r, fmt::join(point_strings(a.points), ", "));
    for (const TransformPart& part : transform_parts(s)) {
        std::vector<std::string> inputs;
        for (int i = 0; i < part.recipe.n_inputs; ++i) inputs.push_back(fmt::format("x[{} * x_stride]", i));
        const OpCounts c = part.recipe.counts();
        out += fmt::format("\n// {} transform: {} ops (add {}, mul {}, fma {}).\n", part.name, c.total(), c.add, c.mul, c.fma);
        out += fmt::format("WINO_HD void winograd_f{}_{}_{}(const float* x, int x_stride, float* y, int y_stride) {{\n",
                           a.m, a.r, part.name);
        out += render_statements(part.recipe, Dialect{"const float", "fmaf"}, inputs, "    ");
        const std::vector<std::string> names = part.recipe.value_names();
        for (std::size_t i = 0; i < part.recipe.outputs.size(); ++i)
            out += fmt::format("    y[{} * y_stride] = {};\n", i, names[part.recipe.outputs[i]]);
        out += "}\n";
    }
    return out;
}

EmittedKernel emit_kernel(KernelKind kind, const RecipeSet* s, int r, const KernelParams& p, Backend backend) {
    if (kind != KernelKind::direct && kind != KernelKind::gemm && !s)
        throw std::logic_error("a Winograd kernel needs recipes");
    validate_params(p);
    const int wg = workgroup_size_of(kind, p);
    const std::string name = kernel_name(kind, s, r);
    const std::vector<BufferSpec> buffers = buffers_of(kind, p);
    const std::string body = fill_template(template_of(kind), values_for(kind, s, r, p, dialect_of(backend)));
    const std::string interface = backend == Backend::glsl ? interface_glsl(buffers, wg) + prelude_glsl()
                                                           : prelude_cuda() + interface_cuda(name, buffers, wg);
    return {kind, name, header(kind, s, r, p, backend, wg) + interface + "\n" + body, wg, buffers};
}

std::vector<EmittedKernel> emit_variant(Variant variant, const RecipeSet* s, int r, const KernelParams& p,
                                        Backend backend) {
    std::vector<KernelKind> kinds;
    switch (variant) {
        case Variant::fused: kinds = {KernelKind::filter_transform, KernelKind::fused}; break;
        case Variant::nonfused:
            kinds = {KernelKind::filter_transform, KernelKind::input_transform, KernelKind::gemm,
                     KernelKind::output_transform};
            break;
        case Variant::direct: kinds = {KernelKind::direct}; break;
    }
    std::vector<EmittedKernel> out;
    for (KernelKind k : kinds) out.push_back(emit_kernel(k, s, r, p, backend));
    return out;
}

}  // namespace wino
