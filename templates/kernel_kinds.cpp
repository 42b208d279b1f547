// The kernel kind and variant tables: per kind its buffers, workgroup, launch
// grid and the values of its template's placeholders.
#include "templates/kernel_kinds.hpp"

#include <wino/errors.hpp>
#include "templates/kernel_params.hpp"
#include "templates/meta_code.hpp"
#include "recipes/optimizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <numeric>
#include <optional>
#include <tuple>

namespace wino {
namespace {

using Groups = std::array<std::uint32_t, 3>;

std::uint32_t ceil_div(long long a, long long b) { return static_cast<std::uint32_t>((a + b - 1) / b); }

int tiles_per_thread(const KernelParams& p) { return p[Param::transform_tiles][0]; }
int unroll(const KernelParams& p) { return p[Param::unroll][0]; }
int one_dimensional(const KernelParams& p) { return p[Param::workgroup_size][0]; }

// A transform thread per (row, group of tiles): rows are channels (input) or filters (output).
Groups per_tile_group(long long rows, const Tiling& t, const KernelParams& p, int wg) {
    return {ceil_div(rows * t.tiles_padded / tiles_per_thread(p), wg), 1, 1};
}

const std::string in4(4, ' '), in8(8, ' '), in12(12, ' '), in16(16, ' ');

int alpha_h(const ConvAlgorithm& a) { return a.h->algorithm.alpha; }
int alpha_w(const ConvAlgorithm& a) { return a.w->algorithm.alpha; }

// The per-axis sizes the transform templates name: %(alpha_h), %(m_w), ...
TemplateValues axis_values(const ConvAlgorithm& a, std::initializer_list<const char*> names) {
    const std::map<std::string, int> all = {{"alpha_h", alpha_h(a)}, {"alpha_w", alpha_w(a)}, {"m_h", a.m().h},
                                            {"m_w", a.m().w}, {"r_h", a.r}, {"r_w", a.s}};
    TemplateValues v;
    for (const char* name : names) v[name] = std::to_string(all.at(name));
    return v;
}

// Where a transform thread's channels come from: at int8 (packed) the thread's
// word of U or V holds 4 channels, which it transforms in turn (`lane`), each
// tap's code placed in the lane's byte of its packed word (`packed` names
// them by tap), channels past C giving 0; else the word is one channel.
struct ChannelLanes {
    std::string open, close;
};
ChannelLanes channel_lanes(bool packed, const std::vector<std::string>& words) {
    if (!packed) return {in4 + "int c = word;\n", ""};
    std::string open;
    for (const std::string& word : words) open += fmt::format("{}int {} = 0;\n", in4, word);
    open += fmt::format("{0}for (int lane = 0; lane < {1}; ++lane) {{\n{0}int c = min(word * {1} + lane, p.C - 1);\n"
                        "{0}bool in_layer = word * {1} + lane < p.C;\n",
                        in4, int8_channels_a_word);
    return {open, in4 + "}\n"};
}

// How a transform thread packs a quantized precision's codes: a word a tap
// and part, in one pass over its word's channels; or, where that many words
// would not fit its registers, a pass a part (`part` the pass: the transform
// is computed again each pass, its loads cached).
struct CodePacking {
    // The most words a thread packs in a pass: split-int8's F(6,3), 128
    // words beside its 64 values, spills on sm_90; int8's 64 and F(4,3)'s 72 do not.
    static constexpr int most_words = 96;
    int parts, passes;
    bool v_operand;  // V's parts lie in CodeSplit::v_plane's order, U's in u_plane's
    CodePacking(ProductOperands operands, int positions, BufferId operand)
        : parts(operand_parts(operands)), passes(parts > 1 && positions * parts > most_words ? parts : 1), v_operand(operand == BufferId::v) {}
    int parts_a_pass() const { return parts / passes; }
    // The plane of U or V that the pass's part `part` of tap xi lies in.
    std::string plane(int xi, int part) const {
        if (parts == 1) return std::to_string(xi);
        if (passes == 1) return std::to_string(xi * parts + (v_operand ? CodeSplit::v_plane(part) : CodeSplit::u_plane(part)));
        static_assert(CodeSplit::u_plane(1) == 1 && CodeSplit::v_plane(1) == 0, "the planes' order as the passes write it");
        return fmt::format("({} * {} + {})", xi, parts, v_operand ? "1 - part" : "part");
    }
    std::string open() const { return passes == 1 ? "" : fmt::format("{}for (int part = 0; part < {}; ++part) {{\n", in4, parts); }
    std::string close() const { return passes == 1 ? "" : in4 + "}\n"; }
};

// A value's code at a factor, in the lane's byte of the word of each of the
// pass's parts (`word(part)`): int8's code, or split-int8's 16-bit code as
// its high and low int8 codes (CodeSplit).
std::string packed_codes(ProductOperands operands, const CodePacking& packing, const std::function<std::string(int)>& word,
                         const std::string& value, const std::string& factor) {
    auto placed = [&](int part, const std::string& code) {
        return fmt::format("{}{} |= in_layer ? wino_lane_byte({}, lane) : 0;\n", in4, word(part), code);
    };
    if (operands != ProductOperands::split_int8)
        return placed(0, fmt::format("wino_code({} * {}, {}.0)", value, factor, int8_largest_code));
    const std::string low = fmt::format("q - (high << {})", CodeSplit::radix_bits);
    return fmt::format("{0}{{\n{0}int q = wino_code({1} * {2}, {3}.0);\n{0}int high = (q + {4}) >> {5};\n", in4, value, factor,
                       CodeSplit::largest_code, CodeSplit::radix / 2, CodeSplit::radix_bits) +
           (packing.passes == 1 ? placed(0, "high") + placed(1, low) : placed(0, fmt::format("part == 0 ? high : {}", low))) + in4 + "}\n";
}

// Precision int8's scale of a tap (and filter `k`, an expression) as the
// kernels read it: int8_scale_index is linear in K and k, so its
// coefficients, taken from it, write the index with the kernel's p.K.
std::string scale_at(ScaleRegion region, int positions, int tap, const std::string& k = "0") {
    const long long base = int8_scale_index(region, positions, 0, tap, 0);
    const long long per_filter_count = int8_scale_index(region, positions, 1, tap, 0) - base;
    const long long per_filter = int8_scale_index(region, positions, 0, tap, 1) - base;
    std::string index = std::to_string(base);
    if (per_filter_count) index += fmt::format(" + {} * p.K", per_filter_count);
    if (per_filter) index += fmt::format(" + {}", per_filter == 1 ? k : fmt::format("{} * {}", per_filter, k));
    return fmt::format("FETCH(scales, {})", index);
}

TemplateValues filter_transform_values(const ConvAlgorithm& a, const KernelParams& p, const Dialect& d, ProductOperands operands) {
    TemplateValues v = axis_values(a, {"alpha_h", "alpha_w", "r_h", "r_w"});
    const int positions = alpha_h(a) * alpha_w(a);
    const CodePacking packing(operands, positions, BufferId::u);
    const int parts = packing.parts_a_pass();
    // The packed word of the pass's part of a tap.
    auto word = [parts](int xi, int part) { return fmt::format("packed{}", xi * parts + part); };
    std::vector<std::string> words;
    for (int xi = 0; xi < positions; ++xi)
        for (int part = 0; part < parts; ++part) words.push_back(word(xi, part));
    const ChannelLanes lanes = channel_lanes(quantized(operands), words);
    v["lanes_open"] = packing.open() + lanes.open;
    v["lanes_close"] = lanes.close;
    v["load"] = assign_each(a.r * a.s, element("g"), [](int i) { return fmt::format("FILTER_VALUE(k, c, {})", i); }, in4);
    std::tie(v["columns"], v["rows"]) = transform_2d(a.h->filter, a.w->filter, "g", "gg", "ut", unroll(p), d, in4);
    auto u_at = [](const std::string& u_plane) { return fmt::format("u[({} * p.c_words + word) * columns + column]", u_plane); };
    if (!quantized(operands)) {
        v["store"] = assign_each(positions, [&](int xi) { return u_at(std::to_string(xi)); },
                                 [](int xi) { return fmt::format("STORED_u(ut[{}])", xi); }, in4);
        return v;
    }
    for (int xi = 0; xi < positions; ++xi)
        v["store"] += packed_codes(operands, packing, [&](int part) { return word(xi, part); }, fmt::format("ut[{}]", xi),
                                   scale_at(ScaleRegion::u_inverse, positions, xi, "k"));
    for (int xi = 0; xi < positions; ++xi)
        for (int part = 0; part < parts; ++part)
            v["lanes_close"] += fmt::format("{}{} = STORED_u({});\n", in4, u_at(packing.plane(xi, part)), word(xi, part));
    v["lanes_close"] += packing.close();
    return v;
}

TemplateValues input_transform_values(const ConvAlgorithm& a, const KernelParams& p, const Dialect& d, ProductOperands operands) {
    const int group = tiles_per_thread(p);
    const bool packed = quantized(operands);
    const std::string tiles = tile_copies(template_text("input_tile"), axis_values(a, {"alpha_h", "alpha_w", "m_h", "m_w"}), group, [&](int e) {
        // Quantized, a pixel is read through IMAGE_PIXEL, which int8-io's
        // kernels define to dequantize its code (the emitter's tensor coding).
        TemplateValues tile{{"load", patch_load(alpha_h(a), alpha_w(a), in8, packed ? "IMAGE_PIXEL({})" : "FETCH_REAL(images, {})")}};
        std::tie(tile["columns"], tile["rows"]) =
            transform_2d(a.h->input, a.w->input, "d", "bd", fmt::format("vt{}", e), unroll(p), d, in8);
        return tile;
    });
    const int positions = alpha_h(a) * alpha_w(a);
    auto v_at = [](const std::string& v_plane) { return fmt::format("v[({} * p.c_words + word) * groups + group]", v_plane); };
    if (!packed) {
        const std::string store = assign_each(positions, [&](int xi) { return v_at(std::to_string(xi)); }, [&](int xi) {
            auto tile = [xi](int e) { return fmt::format("vt{}[{}]", e, xi); };
            return fmt::format("STORED_v({})", group == 4 ? float4_of(tile) : tile(0));
        }, in4);
        const ChannelLanes lanes = channel_lanes(false, {});
        return {{"tiles", tiles}, {"store", store}, {"lanes_open", lanes.open}, {"lanes_close", lanes.close}};
    }
    // Each tap's factor read once; each tile's codes packed by tap and part.
    const CodePacking packing(operands, positions, BufferId::v);
    const int parts = packing.parts_a_pass();
    auto packed_word = [parts](int xi, int part, int e) { return fmt::format("packed{}_{}", xi * parts + part, e); };
    std::vector<std::string> words;
    std::string store;
    for (int xi = 0; xi < positions; ++xi)
        for (int e = 0; e < group; ++e) {
            for (int part = 0; part < parts; ++part) words.push_back(packed_word(xi, part, e));
            store += packed_codes(operands, packing, [&](int part) { return packed_word(xi, part, e); }, fmt::format("vt{}[{}]", e, xi),
                                  fmt::format("v_inverse{}", xi));
        }
    ChannelLanes lanes = channel_lanes(true, words);
    lanes.open = assign_each(positions, [](int xi) { return fmt::format("REAL v_inverse{}", xi); },
                             [&](int xi) { return scale_at(ScaleRegion::v_inverse, positions, xi); }, in4) + packing.open() + lanes.open;
    for (int xi = 0; xi < positions; ++xi)
        for (int part = 0; part < parts; ++part) {
            auto tile = [&](int e) { return packed_word(xi, part, e); };
            lanes.close += fmt::format("{}{} = STORED_v({});\n", in4, v_at(packing.plane(xi, part)),
                                       group == 4 ? fmt::format("MAKE_INT4({}, {}, {}, {})", tile(0), tile(1), tile(2), tile(3)) : tile(0));
        }
    lanes.close += packing.close();
    return {{"tiles", tiles}, {"store", store}, {"lanes_open", lanes.open}, {"lanes_close", lanes.close}};
}

// The GEMM's workgroup block: WINO_GEMM_THREADS × WINO_GEMM_REGISTERS values of
// (k, p), in quads (groups of 4) of U's k and V's p; and where it stages them:
// a block of product_sum_block channels, a channel's quads a row of u_row (v_row)
// quads in shared memory.
struct GemmBlock {
    int threads, wg_p, reg_k_quads, reg_p_quads, k_quads, p_quads, buffers, u_row, v_row, lanes;
    explicit GemmBlock(const KernelParams& p)
        : threads(p[Param::gemm_threads][0] * p[Param::gemm_threads][1]),
          wg_p(p[Param::gemm_threads][1]),
          reg_k_quads(p[Param::gemm_registers][0] / 4),
          reg_p_quads(p[Param::gemm_registers][1] / 4),
          k_quads(p[Param::gemm_threads][0] * reg_k_quads),
          p_quads(wg_p * reg_p_quads),
          buffers(p[Param::gemm_staging][0]),  // global 0, shared 1, double 2
          u_row(k_quads + fragment_padding(p, k_quads)),
          v_row(p_quads + fragment_padding(p, p_quads)),
          lanes(p[Param::gemm_subgroup][0]) {}
    // Quads of one staged block in shared memory.
    int u_stage() const { return product_sum_block * u_row; }
    int v_stage() const { return product_sum_block * v_row; }
    // On tensor cores each of a warp's fragment loads reads rows t and t + 4
    // (t = lane % 4) at word g or g + 8 (g = lane / 4) of a row (prelude.mma.cuh):
    // a row of 8 words mod 16 puts the 32 lanes in 32 banks. Rows of 16·n
    // words are padded by 2 quads; the other GEMMs read whole quads a thread,
    // without conflicts, and are not padded.
    static int fragment_padding(const KernelParams& p, int row_quads) {
        return p[Param::tensor_cores][0] && 4 * row_quads % 16 != 8 ? 2 : 0;
    }
};

// A staged copy's quads: of U (`name` "u") and V ("v"), the product_sum_block ×
// block_quads quads of a block, each thread taking LOCAL_ID_X, LOCAL_ID_X +
// threads, ..., the last one's index clamped so that a duplicate copies what
// the owner copies. `copy` gets the operand's name, the copy's number and its
// quad's index expression; the rest says where the quad lies: it is quad
// `block_first` + q % block_quads of channel q / block_quads, of p.<quads>
// quads a channel; and where it goes: a buffer of `stage` quads, a channel's
// row of row_quads.
struct StagedOperand {
    const char* name;
    int stage, block_quads, row_quads;
    const char* quads;
    const char* block_first;
    // The shared array, and the quad's slot in its buffer `buffer` (an expression).
    std::string array() const { return fmt::format("staged_{}", name); }
    std::string slot(const std::string& buffer, int i) const {
        const std::string q = fmt::format("{}_q{}", name, i);
        return fmt::format("{} * {} + {}", buffer, stage,
                           row_quads == block_quads ? q : fmt::format("{0} / {1} * {2} + {0} % {1}", q, block_quads, row_quads));
    }
};
template <class Copy>
void for_each_staged_quad(const GemmBlock& g, Copy&& copy) {
    for (const StagedOperand& o : {StagedOperand{"u", g.u_stage(), g.k_quads, g.u_row, "k_quads", "k_block"},
                                   StagedOperand{"v", g.v_stage(), g.p_quads, g.v_row, "p_quads", "p_block"}}) {
        const int quads = product_sum_block * o.block_quads;
        for (int i = 0; i * g.threads < quads; ++i)
            copy(o, i,
                 (i + 1) * g.threads <= quads ? fmt::format("LOCAL_ID_X + {}", i * g.threads)
                                              : fmt::format("min(LOCAL_ID_X + {}, {})", i * g.threads, quads - 1));
    }
}

// Copies one block of channels, from channel `first`, of the workgroup's U and
// V quads into shared buffer `buffer` (an expression, 0 or 1). STAGE_LOAD
// starts a copy (into a register, or by cp.async straight to shared memory)
// and STAGE_STORE finishes it, so a double-buffered loop can multiply in
// between.
struct StagedCopy {
    std::string load, store;
};
StagedCopy staged_copy(const GemmBlock& g, const std::string& first, const std::string& buffer, const std::string& indent) {
    StagedCopy copy;
    for_each_staged_quad(g, [&](const StagedOperand& o, int i, const std::string& q) {
        const std::string slot = o.slot(buffer, i);
        copy.load += fmt::format("{0}int {1}_q{2} = {3};\n"
                                 "{0}STAGE_LOAD({1}_n{2}, {4}, {5}, {1}, {1}_base + ({6} + {1}_q{2} / {7}) * p.{8} + "
                                 "min({9} + {1}_q{2} % {7}, p.{8} - 1));\n",
                                 indent, o.name, i, q, o.array(), slot, first, o.block_quads, o.quads, o.block_first);
        copy.store += fmt::format("{}STAGE_STORE({}, {}, {}_n{});\n", indent, o.array(), slot, o.name, i);
    });
    return copy;
}

// The tail block (C % product_sum_block channels, from c_block) staged as a
// whole block with zeros past C into buffer `stage`, for the tensor cores,
// which take 8 channels at a time: a zero adds nothing to a sum.
std::string staged_tail_copy(const GemmBlock& g, const std::string& indent) {
    std::string copy;
    for_each_staged_quad(g, [&](const StagedOperand& o, int i, const std::string& q) {
        copy += fmt::format("{0}int {1}_q{2} = {3};\n{0}int {1}_c{2} = c_block + {1}_q{2} / {4};\n"
                            "{0}STAGE_STORE({5}, {6}, {1}_c{2} < c_words ? FETCH_REAL4({1}, {1}_base + {1}_c{2} * p.{7} + "
                            "min({8} + {1}_q{2} % {4}, p.{7} - 1)) : MAKE_REAL4(0, 0, 0, 0));\n",
                            indent, o.name, i, q, o.block_quads, o.array(), o.slot("stage", i), o.quads, o.block_first);
    });
    return copy;
}

// The shared arrays a staged GEMM copies its blocks into.
std::string staged_arrays(const GemmBlock& g) {
    return fmt::format("STAGED_QUADS(staged_u, {});\nSTAGED_QUADS(staged_v, {});\n", g.buffers * g.u_stage(), g.buffers * g.v_stage());
}

// The staged loop over whole blocks around `product` (which reads the block in
// buffer `stage`): with one buffer, copy, barrier, product, barrier; with two,
// the first block before the loop, and in the loop the next block's copy
// started before the product and landed in the other buffer after it (the
// last block copies itself again, unread), one barrier a block.
struct StagedLoop {
    std::string prologue, whole_block;
};
StagedLoop staged_loop(const GemmBlock& g, const std::string& product) {
    const std::string wait = "        STAGE_WAIT();\n        BARRIER();\n";
    if (g.buffers == 1) {
        const StagedCopy copy = staged_copy(g, "c_block", "0", in8);
        return {"", copy.load + copy.store + wait + product + "        BARRIER();\n"};
    }
    const StagedCopy first = staged_copy(g, "0", "0", in8), next = staged_copy(g, "c_next", "(stage ^ 1)", in8);
    return {"    if (c_words >= " + std::to_string(product_sum_block) + ") {\n" + first.load + first.store + wait + "    }\n",
            fmt::format("        int c_next = min(c_block + {0}, c_words - {0});\n", product_sum_block) + next.load + product +
                next.store + wait + "        stage ^= 1;\n"};
}

// The GEMM on tensor cores (the tensor_cores constraints: CUDA's mma.sync, or
// GLSL's cooperative matrices): the workgroup's block in 16x8 tiles of M, its
// warps (subgroups of 32) in a grid of warps_k x warps_p, each taking a
// rectangle of tiles_k x tiles_p of them (a grid always exists: warps divides
// the block's tiles, so warps / gcd(warps, block's k tiles) divides its p
// tiles). Per staged block of 8 channel words (8 channels, or 32 of int8
// codes) a warp loads each of its U fragments and V fragments once and adds
// one block product a tile, taken from zero (one mma, three at split-tf32),
// to the tile's running sums in the working type (fp32, or int32 at int8); M
// is stored without its rows past K and columns past the padded P. The steps
// are the dialects' TC_ macros (prelude.mma.cuh, prelude.coop.glsl): a
// fragment is read at an element offset of a staged array, its rows (one a
// channel word) a stride apart.
TemplateValues tensor_core_values(const GemmBlock& g) {
    const int tile_k = tensor_core_tile[0], tile_p = tensor_core_tile[1];
    const int block_tiles_k = g.k_quads * 4 / tile_k, block_tiles_p = g.p_quads * 4 / tile_p, warps = g.threads / tensor_core_lanes;
    const int warps_k = std::gcd(warps, block_tiles_k), warps_p = warps / warps_k;
    const int tiles_k = block_tiles_k / warps_k, tiles_p = block_tiles_p / warps_p;
    std::string declare = fmt::format("    int k_block = GROUP_ID_Y * {};\n    int p_block = GROUP_ID_X * {};\n", g.k_quads, g.p_quads);
    declare += fmt::format("    int warp = SUBGROUP_THREAD / {};\n    int stage = 0;\n", tensor_core_lanes);
    for (int kt = 0; kt < tiles_k; ++kt)
        declare += fmt::format("    int tile_k{} = (warp / {} * {} + {}) * {};\n", kt, warps_p, tiles_k, kt, tile_k);
    for (int pt = 0; pt < tiles_p; ++pt)
        declare += fmt::format("    int tile_p{} = (warp % {} * {} + {}) * {};\n", pt, warps_p, tiles_p, pt, tile_p);
    std::string product, store;
    for (int kt = 0; kt < tiles_k; ++kt)
        product += fmt::format("        TC_LOAD_A(a{0}, staged_u, stage * {1} + tile_k{0}, {2});\n", kt, 4 * g.u_stage(), 4 * g.u_row);
    for (int pt = 0; pt < tiles_p; ++pt) {
        product += fmt::format("        TC_LOAD_B(b{0}, staged_v, stage * {1} + tile_p{0}, {2});\n", pt, 4 * g.v_stage(), 4 * g.v_row);
        for (int kt = 0; kt < tiles_k; ++kt) {
            const int i = kt * tiles_p + pt;
            declare += fmt::format("    TC_SUMS(acc{});\n", i);
            product += fmt::format("        TC_PRODUCT_ADD(acc{}, a{}, b{});\n", i, kt, pt);
            store += fmt::format("    TC_STORE(acc{}, xi, k_block * 4 + tile_k{}, p_block * 4 + tile_p{});\n", i, kt, pt);
        }
    }
    const StagedLoop loop = staged_loop(g, product);
    TemplateValues values{{"shared", staged_arrays(g)},
                          {"declare", declare},
                          {"prologue", loop.prologue},
                          {"whole_block", loop.whole_block},
                          {"tail", staged_tail_copy(g, in8) + "        BARRIER();\n" + product},
                          {"store", store},
                          {"sum_block", std::to_string(product_sum_block)}};
    return values;
}

}  // namespace

long long gemm_shared_bytes(const KernelParams& params, Backend backend) {
    const GemmBlock g(params);
    const long long quads = 1LL * g.buffers * (g.u_stage() + g.v_stage());
    if (backend == Backend::glsl && params[Param::tensor_cores][0])
        return 8 * quads + 4LL * tensor_core_tile[0] * tensor_core_tile[1] * (g.threads / tensor_core_lanes);
    return 16 * quads;
}

namespace {

// One operand's loads in a global GEMM shared by a subgroup's lanes
// (gemm_subgroup). The subgroup's lanes multiply `owners` distinct register
// tiles of it (U's along k, V's along p), `quads` quads a channel each; a
// lane's own tile is `owner` (an expression; none where there is one tile). A
// block of product_sum_block channels has product_sum_block · owners · quads
// distinct quads: slot s = (channel · quads + quad) · owners + owner is loaded
// by lane s % lanes into its register s / lanes, and shuffled from there to
// the lanes that multiply it. owners divides lanes, so the lanes one
// (channel, quad) goes to read one register: its index is a constant, only
// the lane is the owner's. Tile o's quad q lies at quad first + (o − owner) ·
// owner_step + q · quad_step of a channel's p.<quads_name>, clamped to the last.
struct SharedLoads {
    std::string name, owner;
    int owners, quads;
    std::string quads_name, first;
    int owner_step, quad_step;

    int slots() const { return product_sum_block * owners * quads; }
    int loads(int lanes) const { return (slots() + lanes - 1) / lanes; }
    // Each of a lane's slots: which one, and its offset from the block's first channel.
    std::string declare(int lanes) const {
        std::string out = owners > 1 ? fmt::format("    int {}_owner = {};\n", name, owner) : "";
        for (int r = 0; r < loads(lanes); ++r) {
            const std::string slot = fmt::format("{}_slot{}", name, r);
            out += fmt::format("    int {} = min({} + SUBGROUP_LANE, {});\n", slot, r * lanes, slots() - 1);
            auto times = [](int step) { return step > 1 ? fmt::format(" * {}", step) : std::string(); };
            const std::string other_tile =
                owners > 1 ? fmt::format("({} % {} - {}_owner){} + ", slot, owners, name, times(owner_step)) : "";
            const std::string quad = fmt::format("{} / {} % {}{}", slot, owners, quads, times(quad_step));
            out += fmt::format("    int {}_from{} = {} / {} * p.{} + min({} + {}{}, p.{} - 1);\n", name, r, slot, owners * quads,
                               quads_name, first, other_tile, quad, quads_name);
        }
        return out;
    }
    // The block's loads, one quad a register.
    std::string load(int lanes) const {
        std::string out;
        for (int r = 0; r < loads(lanes); ++r)
            out += fmt::format("        REAL4 {0}_lane{1} = FETCH_REAL4({0}, {0}_base + c_block * p.{2} + {0}_from{1});\n", name, r,
                               quads_name);
        return out;
    }
    // The lane's quad `quad` of channel `channel` of the block.
    std::string operand(int lanes, int channel, int quad) const {
        const int first_slot = (channel * quads + quad) * owners;
        return fmt::format("SHUFFLE_REAL4({}_lane{}, {}{})", name, first_slot / lanes, first_slot % lanes,
                           owners > 1 ? fmt::format(" + {}_owner", name) : "");
    }
};

// The GEMM's register tile as scalars: 4-wide loads of U and V groups (from
// global memory, or from the block staged in shared memory), then the
// outer-product FMAs, then 4-wide stores at the (clamped) elements they are. A
// whole block of product_sum_block channels is one load of each of its
// channels' groups and, per accumulator, one FMA chain from the block's first
// channel product, added to the running sum: no partial sums live across
// channels. The last, partial block sums the same way in a loop, from global
// memory: staging changes where a value is read, never the sums.
TemplateValues gemm_block_values(const KernelParams& p) {
    const GemmBlock g(p);
    if (p[Param::tensor_cores][0]) return tensor_core_values(g);
    const int reg_k = 4 * g.reg_k_quads, reg_p = 4 * g.reg_p_quads, kq = g.reg_k_quads, pq = g.reg_p_quads;
    std::string shared, declare, prologue, whole_block, tail_start, tail_multiply, tail_end, store;
    // The thread's first k and p quads: its k quads are consecutive, its p
    // quads WINO_GEMM_THREADS_P apart. Sharing loads, threads are counted by
    // subgroups, so that a subgroup's lanes are consecutive threads.
    const std::string thread = g.lanes ? "SUBGROUP_THREAD" : "LOCAL_ID_X";
    declare += fmt::format("    int k_first = (GROUP_ID_Y * WINO_GEMM_THREADS_K + {} / WINO_GEMM_THREADS_P) * (WINO_GEMM_REGISTERS_K / 4);\n", thread);
    declare += fmt::format("    int p_first = GROUP_ID_X * WINO_GEMM_THREADS_P * (WINO_GEMM_REGISTERS_P / 4) + {} % WINO_GEMM_THREADS_P;\n", thread);
    for (int i = 0; i < kq; ++i) declare += fmt::format("    int k_quad{0} = min(k_first + {0}, p.k_quads - 1);\n", i);
    for (int j = 0; j < pq; ++j)
        declare += fmt::format("    int p_quad{0} = min(p_first + {1}, p.p_quads - 1);\n", j, j * g.wg_p);
    // Sharing loads, a subgroup's lanes within one row of threads multiply
    // the same U quads, and, where a row is narrower than a subgroup, lanes a
    // row apart the same V quads: an operand whose owners are fewer than the
    // lanes is shared.
    std::optional<SharedLoads> shared_u, shared_v;
    if (g.lanes) {
        const bool narrow = g.wg_p < g.lanes;
        const std::string wg_p = std::to_string(g.wg_p);
        shared_u = SharedLoads{"u", "SUBGROUP_LANE / " + wg_p, narrow ? g.lanes / g.wg_p : 1, kq, "k_quads", "k_first", kq, 1};
        declare += shared_u->declare(g.lanes);
        if (narrow) {
            shared_v = SharedLoads{"v", "SUBGROUP_LANE % " + wg_p, g.wg_p, pq, "p_quads", "p_first", 1, g.wg_p};
            declare += shared_v->declare(g.lanes);
        }
    }
    auto a = [&](int i, int ch) { return fmt::format("a{}_{}.{}", i / 4, ch, lanes[i % 4]); };
    auto b = [&](int j, int ch) { return fmt::format("b{}_{}.{}", j / 4, ch, lanes[j % 4]); };
    // One channel's operands: from global memory, shared by a subgroup, or from the staged block.
    auto operands = [&](int ch) {
        std::string loads;
        if (ch == 0)
            for (const std::optional<SharedLoads>& shared : {shared_u, shared_v})
                if (shared) loads += shared->load(g.lanes);
        for (int i = 0; i < kq; ++i)
            loads += g.buffers  ? fmt::format("        REAL4 a{0}_{1} = staged_u[stage * {2} + {1} * {3} + k_local + {0}];\n", i, ch,
                                              g.u_stage(), g.k_quads)
                     : shared_u ? fmt::format("        REAL4 a{}_{} = {};\n", i, ch, shared_u->operand(g.lanes, ch, i))
                                : fmt::format("        REAL4 a{0}_{1} = FETCH_REAL4(u, u_base + (c_block + {1}) * p.k_quads + k_quad{0});\n", i, ch);
        for (int j = 0; j < pq; ++j)
            loads += g.buffers  ? fmt::format("        REAL4 b{0}_{1} = staged_v[stage * {2} + {1} * {3} + p_local + {4}];\n", j, ch,
                                              g.v_stage(), g.p_quads, j * g.wg_p)
                     : shared_v ? fmt::format("        REAL4 b{}_{} = {};\n", j, ch, shared_v->operand(g.lanes, ch, j))
                                : fmt::format("        REAL4 b{0}_{1} = FETCH_REAL4(v, v_base + (c_block + {1}) * p.p_quads + p_quad{0});\n", j, ch);
        return loads;
    };
    // From global memory, every operand of the block is loaded first, and each
    // accumulator takes one FMA chain over the block. From shared memory, one
    // channel's operands at a time, each chain carried in a partial sum: the
    // same operations in the same order (so the same result), without the
    // block's operands all live in registers at once.
    for (int i = 0; i < reg_k; ++i)
        for (int j = 0; j < reg_p; ++j) {
            declare += fmt::format("    REAL acc{}_{} = REAL(0);\n", i, j);
            tail_start += fmt::format("        REAL part{}_{} = REAL(0);\n", i, j);
            tail_multiply += fmt::format("            part{0}_{1} = PRODUCT_FMA({2}, {3}, part{0}_{1});\n", i, j, a(i, 0), b(j, 0));
            tail_end += fmt::format("        acc{0}_{1} += part{0}_{1};\n", i, j);
        }
    // The whole block's product (whole_block around it, staged or not).
    std::string block_product;
    for (int ch = 0; ch < product_sum_block; ++ch) {
        block_product += operands(ch);
        if (g.buffers)
            for (int i = 0; i < reg_k; ++i)
                for (int j = 0; j < reg_p; ++j)
                    block_product += ch == 0 ? fmt::format("        REAL part{}_{} = PRODUCT({}, {});\n", i, j, a(i, 0), b(j, 0))
                                             : fmt::format("        part{0}_{1} = PRODUCT_FMA({2}, {3}, part{0}_{1});\n", i, j, a(i, ch), b(j, ch));
    }
    if (g.buffers) {
        block_product += tail_end;  // the partial sums into the running sums, as the tail adds its own
    } else {
        for (int i = 0; i < reg_k; ++i)
            for (int j = 0; j < reg_p; ++j) {
                std::string chain = fmt::format("PRODUCT({}, {})", a(i, 0), b(j, 0));
                for (int ch = 1; ch < product_sum_block; ++ch) chain = fmt::format("PRODUCT_FMA({}, {}, {})", a(i, ch), b(j, ch), chain);
                block_product += fmt::format("        acc{}_{} += {};\n", i, j, chain);
            }
    }
    if (g.buffers == 0) {
        whole_block = block_product;
    } else {
        shared = staged_arrays(g);
        declare += fmt::format("    int k_block = GROUP_ID_Y * {};\n    int p_block = GROUP_ID_X * {};\n", g.k_quads, g.p_quads);
        declare += fmt::format("    int k_local = (LOCAL_ID_X / {}) * {};\n    int p_local = LOCAL_ID_X % {};\n", g.wg_p, kq, g.wg_p);
        declare += "    int stage = 0;\n";
        const StagedLoop loop = staged_loop(g, block_product);
        prologue = loop.prologue;
        whole_block = loop.whole_block;
    }
    std::string tail_loads;
    for (int i = 0; i < kq; ++i)
        tail_loads += fmt::format("            REAL4 a{0}_0 = FETCH_REAL4(u, u_base + c * p.k_quads + k_quad{0});\n", i);
    for (int j = 0; j < pq; ++j)
        tail_loads += fmt::format("            REAL4 b{0}_0 = FETCH_REAL4(v, v_base + c * p.p_quads + p_quad{0});\n", j);
    for (int i = 0; i < reg_k; ++i)
        store += fmt::format("    int row{0} = (xi * p.K + min(k_quad{1} * 4 + {2}, p.K - 1)) * p.p_quads;\n", i, i / 4, i % 4);
    for (int i = 0; i < reg_k; ++i)
        for (int j = 0; j < pq; ++j)
            store += fmt::format("    product[row{} + p_quad{}] = STORED_product({});\n", i, j,
                                 float4_of([&](int e) { return fmt::format("acc{}_{}", i, 4 * j + e); }));
    const std::string tail =
        tail_start + "        for (int c = c_block; c < c_words; ++c) {\n" + tail_loads + tail_multiply + "        }\n" + tail_end;
    return {{"shared", shared},   {"declare", declare}, {"prologue", prologue},
            {"whole_block", whole_block}, {"tail", tail},       {"store", store},
            {"sum_block", std::to_string(product_sum_block)}};
}

// Where the GEMM's operands lie for M's plane xi, and how many words of
// channels it sums (c_words): U's and V's plane xi over the channels' words;
// or at split-int8, for tap xi / 2, high·high, then high·low + low·high as
// one sum over twice the words, U's parts (high, low) against V's (low,
// high), which the transforms store in those orders (CodeSplit).
std::string operand_bases(ProductOperands operands) {
    if (operands != ProductOperands::split_int8)
        return "    int c_words = p.c_words;\n    int u_base = xi * p.c_words * p.k_quads;\n    int v_base = xi * p.c_words * p.p_quads;\n";
    return fmt::format("    int mixed = xi % {0}, tap_plane = xi / {0} * {1};\n"
                       "    int c_words = p.c_words * (mixed + 1);\n"
                       "    int u_base = (tap_plane + {2}) * p.c_words * p.k_quads;\n"
                       "    int v_base = (tap_plane + (mixed != 0 ? {3} : {4})) * p.c_words * p.p_quads;\n",
                       CodeSplit::planes, CodeSplit::parts, CodeSplit::u_plane(0), CodeSplit::v_plane(1), CodeSplit::v_plane(0));
}

TemplateValues gemm_values(const ConvAlgorithm&, const KernelParams& p, const Dialect&, ProductOperands operands) {
    TemplateValues values = gemm_block_values(p);
    values["planes"] = operand_bases(operands);
    return values;
}

// Quantized, M holds the int32 sums, each dequantized by its tap's and
// filter's factor as it is picked; at split-int8, a tap's two planes weighed
// together as they are loaded (wino_weigh_planes: high·high, then high·low +
// low·high at 1 / radix), so a thread holds one value a tap.
static_assert(CodeSplit::planes == 2, "wino_weigh_planes takes high·high and the mixed plane");
TemplateValues output_transform_values(const ConvAlgorithm& a, const KernelParams& p, const Dialect& d, ProductOperands operands) {
    const int positions = alpha_h(a) * alpha_w(a), group = tiles_per_thread(p), planes = product_planes(operands);
    const bool grouped = group == 4, dequantized = quantized(operands);
    auto fetch = [&](int plane) {
        return fmt::format("{}(product, ({} * p.K + k) * groups + group)", grouped ? "FETCH_REAL4" : "FETCH_REAL", plane);
    };
    std::string load = assign_each(
        positions, [&](int xi) { return fmt::format("{} mq{}", grouped ? "REAL4" : "REAL", xi); },
        [&](int xi) {
            if (planes == 1) return fetch(xi);
            return fmt::format("wino_weigh_planes({}, {}, {})", fetch(xi * planes), fetch(xi * planes + 1),
                               d.constant(Exact(Rational(static_cast<long>(CodeSplit::mixed_weight)) /
                                                Rational(static_cast<long>(CodeSplit::high_weight)))));
        },
        in4);
    if (dequantized)
        load += assign_each(positions, [](int xi) { return fmt::format("REAL dequantize{}", xi); },
                            [&](int xi) { return scale_at(ScaleRegion::dequantize, positions, xi, "k"); }, in4);
    const std::string tiles = tile_copies(template_text("output_tile"), axis_values(a, {"alpha_h", "alpha_w", "m_h", "m_w"}), group, [&](int e) {
        TemplateValues tile{{"store", block_store(a.m(), p[Param::vector_rows][0] != 0, in8)}};
        tile["pick"] = assign_each(positions, element("mt"), [&](int xi) {
            const std::string m = grouped ? fmt::format("mq{}.{}", xi, lanes[e]) : fmt::format("mq{}", xi);
            return dequantized ? fmt::format("{} * dequantize{}", m, xi) : m;
        }, in8);
        std::tie(tile["columns"], tile["rows"]) = transform_2d(a.h->output, a.w->output, "mt", "am", "y", unroll(p), d, in8);
        return tile;
    });
    return {{"load", load}, {"tiles", tiles}};
}

// The fused kernel's block (fused.tmpl): its thread's register tiles, its
// positions, and the shared memory it stages channels and sums in.
struct FusedBlock {
    int filters, tiles, reg_k, reg_t, position_groups, positions;
    FusedBlock(const KernelParams& p, int positions)
        : filters(p[Param::fused_tile][0]),
          tiles(p[Param::fused_tile][1]),
          reg_k(p[Param::fused_registers][0]),
          reg_t(p[Param::fused_registers][1]),
          position_groups(p[Param::fused_positions][0]),
          positions(positions) {}
    int threads() const { return filters / reg_k * (tiles / reg_t) * position_groups; }
    int positions_a_thread() const { return (positions + position_groups - 1) / position_groups; }
    // U_s and V_s of a block of channels, or M_s at the end, whichever is more.
    long long shared_values() const {
        return std::max(1LL * positions * product_sum_block * (filters + tiles), 1LL * positions * filters * tiles);
    }
};

TemplateValues fused_values(const ConvAlgorithm& a, const KernelParams& p, const Dialect& d, ProductOperands) {
    const FusedBlock f(p, alpha_h(a) * alpha_w(a));
    TemplateValues v = axis_values(a, {"alpha_h", "alpha_w", "m_h", "m_w"});
    v["sum_block"] = std::to_string(product_sum_block);
    v["positions"] = std::to_string(f.positions);
    v["shared_size"] = std::to_string(f.shared_values());
    v["v_offset"] = std::to_string(f.positions * product_sum_block * f.filters);
    v["load"] = patch_load(alpha_h(a), alpha_w(a), in12);
    std::tie(v["input_columns"], v["input_rows"]) = transform_2d(a.h->input, a.w->input, "d", "bd", "vt", unroll(p), d, in12);
    v["stage_v"] = assign_each(f.positions, [](int xi) { return fmt::format("V_S({}, cl, tl)", xi); }, element("vt"), in12);
    // Position j's sums at acc[j][k][tile] (in the template's loop over j).
    auto k_of = [](int i) { return fmt::format("k_thread + {}", i); };
    auto t_of = [](int r) { return fmt::format("t_thread + {} * (WINO_FUSED_TILE_TILES / WINO_FUSED_REGISTERS_TILES)", r); };
    auto acc = [&](int i, int r) { return fmt::format("acc[j * {} + {}]", f.reg_k * f.reg_t, i * f.reg_t + r); };
    // The block's channels in a loop too, each partial sum from zero.
    const std::string in = in12, body_in = in16;
    std::string product, stage_m;
    for (int i = 0; i < f.reg_k; ++i)
        for (int r = 0; r < f.reg_t; ++r) product += fmt::format("{}REAL part{}_{} = REAL(0);\n", in, i, r);
    product += fmt::format("{}for (int ch = 0; ch < {}; ++ch) {{\n", in, product_sum_block);
    for (int i = 0; i < f.reg_k; ++i) product += fmt::format("{}REAL a{} = U_S(xi, ch, {});\n", body_in, i, k_of(i));
    for (int r = 0; r < f.reg_t; ++r) product += fmt::format("{}REAL b{} = V_S(xi, ch, {});\n", body_in, r, t_of(r));
    for (int i = 0; i < f.reg_k; ++i)
        for (int r = 0; r < f.reg_t; ++r)
            product += fmt::format("{0}part{1}_{2} = PRODUCT_FMA(a{1}, b{2}, part{1}_{2});\n", body_in, i, r);
    product += in + "}\n";
    for (int i = 0; i < f.reg_k; ++i)
        for (int r = 0; r < f.reg_t; ++r) {
            product += fmt::format("{}{} += part{}_{};\n", in, acc(i, r), i, r);
            stage_m += fmt::format("{}M_S(xi, {}, {}) = {};\n", in8, k_of(i), t_of(r), acc(i, r));
        }
    v["positions_a_thread"] = std::to_string(f.positions_a_thread());
    v["sums"] = std::to_string(f.positions_a_thread() * f.reg_k * f.reg_t);
    v["product"] = product;
    v["stage_m"] = stage_m;
    v["pick"] = assign_each(f.positions, element("mt"), [](int xi) { return fmt::format("M_S({}, kl, tl)", xi); }, in8);
    std::tie(v["output_columns"], v["output_rows"]) = transform_2d(a.h->output, a.w->output, "mt", "am", "y", unroll(p), d, in8);
    return v;
}

TemplateValues direct_values(const ConvAlgorithm& a, const KernelParams&, const Dialect&, ProductOperands) {
    return {{"r_h", std::to_string(a.r)}, {"r_w", std::to_string(a.s)}};
}

const std::vector<KindSpec> kinds = {
    {KernelKind::filter_transform, "filter_transform", true, true, false,
     [](const KernelParams&) { return std::vector<BufferUse>{{BufferId::filters, false}, {BufferId::u, true}}; },
     one_dimensional,
     [](const ConvShape&, const Tiling& t, const KernelParams&, int wg) { return Groups{ceil_div(t.k_padded * t.channel_words, wg), 1, 1}; },
     filter_transform_values},
    {KernelKind::input_transform, "input_transform", false, true, false,
     [](const KernelParams& p) { return std::vector<BufferUse>{{BufferId::images, false}, {BufferId::v, true, tiles_per_thread(p)}}; },
     one_dimensional,
     [](const ConvShape&, const Tiling& t, const KernelParams& p, int wg) { return per_tile_group(t.channel_words, t, p, wg); },
     input_transform_values},
    {KernelKind::gemm, "gemm", false, false, true,
     [](const KernelParams&) {
         return std::vector<BufferUse>{{BufferId::u, false, 4}, {BufferId::v, false, 4}, {BufferId::product, true, 4}};
     },
     [](const KernelParams& p) { return p[Param::gemm_threads][0] * p[Param::gemm_threads][1]; },
     [](const ConvShape&, const Tiling& t, const KernelParams& p, int) {
         const auto [wg_k, wg_p] = p[Param::gemm_threads];
         const auto [reg_k, reg_p] = p[Param::gemm_registers];
         return Groups{ceil_div(t.tiles_padded, wg_p * reg_p), ceil_div(t.k_padded, wg_k * reg_k),
                       static_cast<std::uint32_t>(t.product_planes())};
     },
     gemm_values},
    {KernelKind::output_transform, "output_transform", false, true, false,
     [](const KernelParams& p) {
         return std::vector<BufferUse>{{BufferId::product, false, tiles_per_thread(p)},
                                       {BufferId::result, true, p[Param::vector_rows][0] ? 4 : 1}};
     },
     one_dimensional,
     [](const ConvShape& s, const Tiling& t, const KernelParams& p, int wg) { return per_tile_group(s.K, t, p, wg); },
     output_transform_values},
    {KernelKind::fused, "fused", false, true, true,
     [](const KernelParams&) {
         return std::vector<BufferUse>{{BufferId::images, false}, {BufferId::u, false}, {BufferId::result, true}};
     },
     [](const KernelParams& p) { return FusedBlock(p, 1).threads(); },
     [](const ConvShape& s, const Tiling& t, const KernelParams& p, int) {
         const auto [filters, tiles] = p[Param::fused_tile];
         return Groups{ceil_div(t.tiles, tiles), ceil_div(s.K, filters), 1};
     },
     fused_values},
    {KernelKind::direct, "direct", false, false, false,
     [](const KernelParams&) {
         return std::vector<BufferUse>{{BufferId::images, false}, {BufferId::filters, false}, {BufferId::result, true}};
     },
     one_dimensional,
     [](const ConvShape& s, const Tiling&, const KernelParams&, int wg) {
         return Groups{ceil_div(1LL * s.N * s.K * s.out_h() * s.out_w(), wg), 1, 1};
     },
     direct_values},
};

const std::vector<VariantSpec> variant_table = {
    {Variant::nonfused, "nonfused", true,
     {KernelKind::filter_transform, KernelKind::input_transform, KernelKind::gemm, KernelKind::output_transform}},
    {Variant::fused, "fused", true, {KernelKind::filter_transform, KernelKind::fused}},
    {Variant::direct, "direct", false, {KernelKind::direct}},
};

}  // namespace

TileSize ConvAlgorithm::m() const { return {h->algorithm.m, w->algorithm.m}; }

ConvAlgorithm ConvAlgorithm::square(const RecipeSet& set) { return winograd2d(set, set); }

ConvAlgorithm ConvAlgorithm::winograd2d(const RecipeSet& h, const RecipeSet& w) {
    return {h.algorithm.r, w.algorithm.r, &h, &w};
}

ConvAlgorithm ConvAlgorithm::direct(int r, int s) { return {r, s, nullptr, nullptr}; }

std::string algorithm_tag(TileSize m, int r, int s) {
    return m.square() && r == s ? fmt::format("f{}_{}", m.h, r) : fmt::format("f{}x{}_{}x{}", m.h, m.w, r, s);
}

std::string algorithm_text(TileSize m, int r, int s) {
    return m.square() && r == s ? fmt::format("F({},{})", m.h, r) : fmt::format("F({}x{},{}x{})", m.h, m.w, r, s);
}

int operand_parts(ProductOperands operands) { return operands == ProductOperands::split_int8 ? CodeSplit::parts : 1; }

int product_planes(ProductOperands operands) {
    return operands == ProductOperands::split_int8 ? CodeSplit::planes : 1;
}

long long largest_code(ProductOperands operands) {
    return operands == ProductOperands::split_int8 ? CodeSplit::largest_code : int8_largest_code;
}

long long high_product_weight(ProductOperands operands) {
    return operands == ProductOperands::split_int8 ? CodeSplit::high_weight : 1;
}

long long largest_plane_product(ProductOperands operands) {
    return operands == ProductOperands::split_int8 ? 2 * int8_largest_code * (CodeSplit::radix / 2) : int8_largest_code * int8_largest_code;
}

int points_alpha(TileSize m, int r, int s) { return r > 1 ? m.h + r - 1 : m.w + s - 1; }

const char* to_string(BufferId buffer) {
    switch (buffer) {
        case BufferId::images: return "images";
        case BufferId::filters: return "filters";
        case BufferId::u: return "u";
        case BufferId::v: return "v";
        case BufferId::product: return "product";
        case BufferId::result: return "result";
        case BufferId::bias: return "bias";
        case BufferId::scales: return "scales";
    }
    throw std::logic_error("unknown buffer");
}

long long fused_shared_bytes(const KernelParams& params, int positions) {
    return 4 * FusedBlock(params, positions).shared_values();
}

int fused_sums(const KernelParams& params, int positions) {
    const FusedBlock f(params, positions);
    return f.positions_a_thread() * f.reg_k * f.reg_t;
}

const std::vector<KindSpec>& kernel_kinds() { return kinds; }

const KindSpec& spec_of(KernelKind kind) {
    for (const KindSpec& spec : kinds)
        if (spec.kind == kind) return spec;
    throw std::logic_error("unknown kernel kind");
}

const std::vector<VariantSpec>& variants() { return variant_table; }

const VariantSpec& spec_of(Variant variant) {
    for (const VariantSpec& spec : variant_table)
        if (spec.variant == variant) return spec;
    throw std::logic_error("unknown variant");
}

const char* to_string(KernelKind kind) { return spec_of(kind).name; }
const char* to_string(Variant variant) { return spec_of(variant).name; }

Variant parse_variant(const std::string& name, std::string_view what) {
    std::vector<std::string> names;
    for (const VariantSpec& spec : variant_table) {
        if (name == spec.name) return spec.variant;
        names.push_back(spec.name);
    }
    throw InputError(fmt::format("{} must be {}, not '{}'", what, fmt::join(names, ", "), name));
}

}  // namespace wino
