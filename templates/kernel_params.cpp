// The parameter table, and everything derived from it that is not a flag.
#include "templates/kernel_params.hpp"

#include "generator/checked.hpp"
#include "templates/precision.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

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
std::string over_api_limit(const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
    const ParamValue& v = p[spec.param];
    return threads(v) > 1024 ? fmt::format("{} {}x{} is {} threads, more than the 1024 a workgroup may have",
                                           param_label(spec, c.naming), v[0],
                                           v[1], threads(v))
                             : std::string();
}

// A workgroup's shared memory past the device's: `who` says whose.
std::string over_shared_memory(long long bytes, const std::string& who, const ParamContext& c) {
    return bytes > static_cast<long long>(c.limits->max_shared_bytes)
               ? fmt::format("{} needs {} bytes of shared memory a workgroup, the device has {}", who, bytes,
                             c.limits->max_shared_bytes)
               : std::string();
}

std::string over_workgroup_of_threads(const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
    return over_workgroup_limit(threads(p[spec.param]), c);
}

// "fused_tile 16x8, fused_registers 2x2 and fused_positions 9": what makes a fused workgroup.
std::string fused_block_text(const KernelParams& p, const ParamContext& c) {
    auto part = [&](Param param) {
        const ParamSpec& spec = param_spec(param);
        return fmt::format("{} {}", param_label(spec, c.naming), value_text(spec, p[param]));
    };
    return fmt::format("{}, {} and {}", part(Param::fused_tile), part(Param::fused_registers), part(Param::fused_positions));
}

// A fused workgroup past the 1024 threads an API allows.
std::string over_fused_threads(const ParamSpec&, const KernelParams& p, const ParamContext& c) {
    const int threads = spec_of(K::fused).workgroup_size(p);
    return threads > 1024 ? fmt::format("{} make a fused workgroup of {} threads, more than the 1024 a workgroup may have",
                                        fused_block_text(p, c), threads)
                          : std::string();
}

int alpha_positions(const ParamContext& c) { return (c.m.h + c.shape->R - 1) * (c.m.w + c.shape->S - 1); }

// A fused thread's running sums past 128: it spills on CUDA (each sum is a
// register, beside its partial sums, operands and addresses). More position
// groups (fused_positions) give each thread fewer.
std::string over_fused_sums(const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
    const int sums = fused_sums(p, alpha_positions(c));
    const ParamSpec& registers = param_spec(Param::fused_registers);
    return sums > 128 ? fmt::format("{} {} with {} {} leaves a fused thread {} running sums at {} positions, more than 128",
                                    param_label(spec, c.naming), value_text(spec, p[spec.param]), param_label(registers, c.naming),
                                    value_text(registers, p[Param::fused_registers]), sums, alpha_positions(c))
                      : std::string();
}

// In Param's order: a parameter's value lies at its enum's index.
const std::vector<ParamSpec> table = {
    {.param = Param::unroll,
     .name = "unroll",
     .flag = "--unroll",
     .help = "transform loop unroll: 1, 2, 4, 6, ... or full",
     .type = ParamType::unroll,
     .tag = "u",
     .value = {0, 0},
     .min = 1,
     .max = 1024,
     .candidates = {{0, 0}, {1, 0}, {2, 0}, {4, 0}, {6, 0}},
     .kinds = {K::filter_transform, K::input_transform, K::output_transform, K::fused}},
    {.param = Param::workgroup_size,
     .name = "workgroup_size",
     .flag = "--workgroup-size",
     .help = "threads per workgroup of the transform and direct kernels",
     .type = ParamType::count,
     .tag = "wg",
     .value = {64, 0},
     .min = 1,
     .max = 1024,
     .candidates = {{32, 0}, {64, 0}, {128, 0}},
     .kinds = {K::filter_transform, K::input_transform, K::output_transform, K::direct},
     .constraints = {{Needs::device, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
                          return over_workgroup_limit(p[spec.param][0], c);
                      }}}},
    {.param = Param::gemm_threads,
     .name = "gemm_threads",
     .flag = "--gemm-threads",
     .help = "GEMM workgroup threads along K,P",
     .type = ParamType::pair,
     .tag = "t",
     .parts = {"K", "P"},
     .value = {1, 8},
     // A warp along p: U is one broadcast per warp, V and M coalesce (unmeasured).
     .gpu_value = ParamValue{2, 32},
     .min = 1,
     .max = 1024,
     .candidates = {{1, 8}, {8, 1}, {2, 32}, {4, 16}},
     .kinds = {K::gemm},
     .constraints = {{Needs::value, [](const ParamSpec& spec, const KernelParams& p,
                                       const ParamContext& c) { return over_api_limit(spec, p, c); }},
                     {Needs::device, over_workgroup_of_threads}},
     .inert_when = Param::cublas},
    // CUDA: the running sums and the block's partial sums (product_sum_block)
    // of 16x8 are 256 values, past the 255 registers a thread; 8x8 is 128.
    {.param = Param::gemm_registers,
     .name = "gemm_registers",
     .flag = "--gemm-registers",
     .help = "GEMM register tile along K,P (multiples of 4)",
     .type = ParamType::pair,
     .tag = "r",
     .parts = {"K", "P"},
     .value = {16, 8},
     .gpu_value = ParamValue{8, 8},
     .min = 4,
     .max = 64,
     .candidates = {{16, 8}, {8, 8}, {16, 4}, {8, 16}, {4, 4}},
     .kinds = {K::gemm},
     .constraints =
         {{Needs::value, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               const ParamValue& v = p[spec.param];
               return v[0] % 4 || v[1] % 4
                          ? fmt::format("{} must be multiples of 4 (U and V are read 4 at a time), not {}x{}", param_label(spec, c.naming),
                                        v[0], v[1])
                          : std::string();
           }},
          // A thread's sums, running and partial: past 256 every GPU spills (255
          // registers a thread at most on NVIDIA), and the compilers take minutes
          // (64x32: 7 s on lavapipe, 64x64: no end).
          {Needs::value, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               const ParamValue& v = p[spec.param];
               return 2 * threads(v) > 256
                          ? fmt::format("{} {}x{} holds {} sums a thread (running and partial), more than 256", param_label(spec, c.naming),
                                        v[0], v[1], 2 * threads(v))
                          : std::string();
           }}},
     .inert_when = Param::cublas},
    // Where the GEMM's threads read U and V. global: each thread from global
    // memory (the lavapipe shape: texel fetches are cheap there, and shared
    // memory is plain memory). shared: the workgroup stages a block of
    // product_sum_block channels of its U and V tiles in shared memory, each
    // value read from global memory once, and every thread reads its register
    // tile there. double: two such buffers, the next block loading while the
    // current one is multiplied (CUDA: cp.async on sm_80 and later). The sums
    // are the same in all three, so are the results, bit for bit.
    {.param = Param::gemm_staging,
     .name = "gemm_staging",
     .flag = "--gemm-staging",
     .help = "where the GEMM reads U and V: global (each thread from global memory), shared (a block of them staged "
             "in shared memory) or double (two shared blocks, the next loading while one is multiplied)",
     .type = ParamType::choice,
     .tag = "",
     .choices = {"global", "shared", "double"},
     .value = {0, 0},
     .min = 0,
     .max = 2,
     .candidates = {{0, 0}, {1, 0}, {2, 0}},
     .kinds = {K::gemm},
     .constraints = {{Needs::device, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
                          if (!c.backend) return std::string();
                          return over_shared_memory(gemm_shared_bytes(p, *c.backend),
                                                    fmt::format("{} {}", param_label(spec, c.naming), value_text(spec, p[spec.param])), c);
                      }}},
     .inert_when = Param::cublas},
    // The global GEMM's loads shared by a subgroup's lanes: where lanes
    // multiply the same U quads (or V quads), each quad of a block is loaded
    // by one lane and shuffled to the others, instead of by every lane. The
    // sums are the same, bit for bit. On lavapipe (8 lanes) a shuffle is a
    // vector permute where a load is one per lane: the GEMM gains 1.13-1.29x
    // where a row of lanes shares U (1x8 threads), and is within noise where
    // lanes share V (8x1; docs/kernels.md), so it is on by default on a CPU
    // device. On a GPU a warp's loads of one address are already one
    // broadcast: unmeasured there, so off unless tuned.
    {.param = Param::gemm_subgroup,
     .name = "gemm_subgroup",
     .flag = "--gemm-subgroup",
     .help = "the GEMM's U and V loads shared by the lanes of a subgroup of this many (the device's: 8 on lavapipe, 32 on "
             "NVIDIA), each quad loaded by one lane and shuffled to the others; with --gemm-staging global: off or the lanes",
     .type = ParamType::count_or_off,
     .tag = "sg",
     .value = {0, 0},
     .min = 4,
     .max = 128,
     .candidates = {{0, 0}, {8, 0}, {16, 0}, {32, 0}, {64, 0}},
     .kinds = {K::gemm},
     .constraints =
         {{Needs::value, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               const int lanes = p[spec.param][0];
               if (!lanes) return std::string();
               if (lanes & (lanes - 1)) return fmt::format("{} takes a subgroup's lanes, a power of two, not {}", param_label(spec, c.naming), lanes);
               if (p[Param::gemm_staging][0])
                   return fmt::format("{} shares the loads of a GEMM that reads global memory: {} global",
                                      param_label(spec, c.naming), param_label(param_spec(Param::gemm_staging), c.naming));
               const auto [wg_k, wg_p] = p[Param::gemm_threads];
               if ((wg_k * wg_p) % lanes || (lanes % wg_p && wg_p % lanes))
                   return fmt::format("{} {} needs the {}x{} threads in whole subgroups, and their P threads ({}) to divide {} "
                                      "or be a multiple of it",
                                      param_label(spec, c.naming), lanes, wg_k, wg_p, wg_p, lanes);
               return std::string();
           }},
          {Needs::device, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               const int lanes = p[spec.param][0];
               if (!lanes || static_cast<std::uint32_t>(lanes) == c.limits->subgroup_size) return std::string();
               return c.limits->subgroup_size
                          ? fmt::format("{} {} needs subgroups of {} lanes, the device's have {}", param_label(spec, c.naming), lanes,
                                        lanes, c.limits->subgroup_size)
                          : fmt::format("{} needs a device whose compute subgroups shuffle and all have one size",
                                        param_label(spec, c.naming));
           }}},
     .inert_when = Param::cublas,
     .on_where_allowed = {DeviceClass::cpu}},
    // The product on tensor cores: each warp's share of the workgroup's block
    // as 16x8 tiles of M, each block of 8 channels one mma.m16n8k8 from zero
    // (binary16 or TF32 operands, fp32 sums; three at split-tf32), added to the
    // running sums as the other GEMMs add a block. Its operands come from the
    // staged block. In GLSL the tiles are cooperative matrices of binary16
    // operands (GL_NV_cooperative_matrix): fp16-mixed only.
    {.param = Param::tensor_cores,
     .name = "tensor_cores",
     .flag = "--tensor-cores",
     .help = "the GEMM's product on tensor cores (CUDA mma: precision fp16-mixed, the TF32 precisions and the int8-code ones; "
             "GLSL cooperative matrices: fp16-mixed; with --gemm-staging shared or double): on or off",
     .type = ParamType::flag,
     .tag = "tc",
     .value = {0, 0},
     .min = 0,
     .max = 1,
     .candidates = {{0, 0}, {1, 0}},
     .kinds = {K::gemm},
     .constraints =
         {{Needs::value, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               if (!p[spec.param][0]) return std::string();
               if (c.precision && !spec_of(*c.precision).tensor_core_product())
                   return fmt::format("{} multiply binary16 or TF32 operands into fp32 sums, or int8 codes into int32 "
                                      "sums: precision {}, not {}",
                                      param_label(spec, c.naming), tensor_core_precision_names(), to_string(*c.precision));
               if (c.backend == Backend::glsl && c.precision && !spec_of(*c.precision).binary16_tensor_core_product())
                   return fmt::format("{} in GLSL are cooperative matrices of binary16 operands: precision {}, not {}",
                                      param_label(spec, c.naming), tensor_core_precision_names(Backend::glsl),
                                      to_string(*c.precision));
               if (!p[Param::gemm_staging][0])
                   return fmt::format("{} take their operands from shared memory: {} shared or double",
                                      param_label(spec, c.naming), param_label(param_spec(Param::gemm_staging), c.naming));
               return std::string();
           }},
          {Needs::value, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               if (!p[spec.param][0]) return std::string();
               const auto [wg_k, wg_p] = p[Param::gemm_threads];
               const auto [reg_k, reg_p] = p[Param::gemm_registers];
               const long long block_k = 1LL * wg_k * reg_k, block_p = 1LL * wg_p * reg_p, threads = 1LL * wg_k * wg_p;
               const int tile_k = tensor_core_tile[0], tile_p = tensor_core_tile[1], lanes = tensor_core_lanes;
               if (block_k % tile_k || block_p % tile_p || threads % lanes || (block_k / tile_k * (block_p / tile_p)) % (threads / lanes))
                   return fmt::format("{} split the workgroup's {}x{} block into {}x{} tiles, as many a warp: threads a "
                                      "multiple of {}, the block's K a multiple of {} and its P of {}",
                                      param_label(spec, c.naming), block_k, block_p, tile_k, tile_p, lanes, tile_k, tile_p);
               return std::string();
           }},
          {Needs::device, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               if (!p[spec.param][0]) return std::string();
               if (!c.limits->tensor_cores)
                   return fmt::format("{} needs a device with tensor cores (CUDA: sm_75 on; Vulkan: VK_NV_cooperative_matrix's "
                                      "{} binary16 products into fp32 sums, in full subgroups of {})",
                                      param_label(spec, c.naming), fmt::join(tensor_core_tile, "x"), tensor_core_lanes);
               if (c.precision && spec_of(*c.precision).product_operands != ProductOperands::as_read && !c.limits->tf32_tensor_cores)
                   return fmt::format("{} at precision {} need sm_80's tensor cores, which take TF32 and int8 (CUDA, sm_80 on)",
                                      param_label(spec, c.naming), to_string(*c.precision));
               return std::string();
           }}},
     .inert_when = Param::cublas},
    // Precision int8's 4-way dot products in GLSL by the device's instruction
    // (SPIR-V OpSDot, where VK_KHR_shader_integer_dot_product is: NVIDIA's
    // dp4a) instead of four products of sign-extended bytes. CUDA's GEMM
    // always uses __dp4a. On by default where the device has it: one
    // instruction for four products and their sum on a GPU; lavapipe, which
    // lowers it, still gains 1.06-1.15x on the GEMM (docs/int8.md).
    {.param = Param::integer_dot,
     .name = "integer_dot",
     .flag = "--integer-dot",
     .help = "the int8-code precisions' GEMM in GLSL: its 4-way int8 dot products by the device's instruction (OpSDot, "
             "VK_KHR_shader_integer_dot_product) instead of sign-extended bytes: on or off",
     .type = ParamType::flag,
     .tag = "dot",
     .value = {0, 0},
     .min = 0,
     .max = 1,
     .candidates = {{0, 0}, {1, 0}},
     .kinds = {K::gemm},
     .constraints =
         {{Needs::value, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               if (!p[spec.param][0]) return std::string();
               if (c.backend && *c.backend != Backend::glsl)
                   return fmt::format("{} is GLSL's (OpSDot): CUDA's int8 GEMM always uses dp4a", param_label(spec, c.naming));
               if (c.precision && !spec_of(*c.precision).quantized())
                   return fmt::format("{} multiplies int8 codes: precision {}, not {}", param_label(spec, c.naming),
                                      quantized_precision_names(), to_string(*c.precision));
               return std::string();
           }},
          {Needs::device, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
               return p[spec.param][0] && !c.limits->integer_dot_product
                          ? fmt::format("{} needs a device with shaderIntegerDotProduct (VK_KHR_shader_integer_dot_product)",
                                        param_label(spec, c.naming))
                          : std::string();
           }}},
     .inert_when = Param::cublas,
     .on_where_allowed = {DeviceClass::cpu, DeviceClass::gpu}},
    {.param = Param::cublas,
     .name = "cublas",
     .flag = "--cublas",
     .help = "the non-fused product by the vendor's BLAS (CUDA: cuBLAS strided-batched SGEMM) instead of the GEMM "
             "kernel: on or off",
     .type = ParamType::flag,
     .tag = "cublas",
     .value = {0, 0},
     .min = 0,
     .max = 1,
     .candidates = {{0, 0}, {1, 0}},
     .kinds = {K::gemm},
     .constraints = {{Needs::device, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
                          return p[spec.param][0] && !c.limits->vendor_gemm
                                     ? fmt::format("{} needs a device whose API has cuBLAS (CUDA)", param_label(spec, c.naming))
                                     : std::string();
                      }}}},
    // The fused workgroup's block of filters × tiles. A CPU's keeps llvmpipe's
    // compiles short (docs/kernels.md: the fused kernel never wins there);
    // a GPU's is a guess, a block whose U and V many threads read from shared
    // memory.
    {.param = Param::fused_tile,
     .name = "fused_tile",
     .flag = "--fused-tile",
     .help = "fused workgroup's block: filters,tiles",
     .type = ParamType::pair,
     .tag = "f",
     .parts = {"FILTERS", "TILES"},
     .value = {16, 8},
     .gpu_value = ParamValue{16, 16},
     .min = 1,
     .max = 1024,
     .candidates = {{16, 8}, {8, 8}, {16, 16}, {32, 16}},
     .kinds = {K::fused},
     .constraints = {{Needs::device, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
                          if (!c.shape) return std::string();
                          return over_shared_memory(fused_shared_bytes(p, alpha_positions(c)),
                                                    fmt::format("the fused kernel's {} {}", param_label(spec, c.naming),
                                                                value_text(spec, p[spec.param])), c);
                      }}}},
    // A fused thread's register tile: the filters and tiles whose sums it
    // holds at each of its positions.
    {.param = Param::fused_registers,
     .name = "fused_registers",
     .flag = "--fused-registers",
     .help = "fused thread's register tile: filters,tiles (dividing --fused-tile's)",
     .type = ParamType::pair,
     .tag = "fr",
     .parts = {"K", "TILES"},
     .value = {2, 2},
     .min = 1,
     .max = 64,
     .candidates = {{1, 1}, {2, 2}, {4, 2}, {4, 4}},
     .kinds = {K::fused},
     .constraints = {{Needs::value, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
                          const ParamValue& v = p[spec.param];
                          const ParamValue& block = p[Param::fused_tile];
                          return block[0] % v[0] || block[1] % v[1]
                                     ? fmt::format("{} {}x{} must divide {} {}x{}", param_label(spec, c.naming), v[0], v[1],
                                                   param_label(param_spec(Param::fused_tile), c.naming), block[0], block[1])
                                     : std::string();
                      }}}},
    // The alpha_h·alpha_w positions split among this many groups of threads:
    // more threads, and fewer sums a thread, for large tiles. Whole (1) is left
    // out of the tuner's space: llvmpipe takes 10 s to compile F(6,3) so.
    // Last of the fused parameters, it holds the constraints of all three
    // (the space judges a parameter's value constraints before the later
    // parameters take their values).
    {.param = Param::fused_positions,
     .name = "fused_positions",
     .flag = "--fused-positions",
     .help = "fused thread groups the alpha_h*alpha_w positions are split among",
     .type = ParamType::count,
     .tag = "fx",
     .value = {9, 0},
     .gpu_value = ParamValue{4, 0},
     .min = 1,
     .max = 64,
     .candidates = {{2, 0}, {4, 0}, {9, 0}},
     .kinds = {K::fused},
     .constraints = {{Needs::value, over_fused_threads},
                     {Needs::device, [](const ParamSpec&, const KernelParams& p, const ParamContext& c) {
                          const std::string why = over_workgroup_limit(spec_of(K::fused).workgroup_size(p), c);
                          return why.empty() ? why : fused_block_text(p, c) + ": " + why;
                      }},
                     {Needs::layer, over_fused_sums}}},
    // 4 moves V and M 4 values at a time (cheap on lavapipe); 1 keeps registers
    // low (CUDA spills at alpha 8).
    {.param = Param::transform_tiles,
     .name = "transform_tiles",
     .flag = "--transform-tiles",
     .help = "tiles per input/output transform thread: 1 or 4",
     .type = ParamType::count,
     .tag = "tt",
     .value = {4, 0},
     .gpu_value = ParamValue{1, 0},
     .min = 1,
     .max = 4,
     .candidates = {{1, 0}, {4, 0}},
     .kinds = {K::input_transform, K::output_transform},
     .constraints = {{Needs::value, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
                          const int tiles = p[spec.param][0];
                          return tiles == 1 || tiles == 4 ? std::string()
                                                          : fmt::format("{} must be 1 or 4, not {}", param_label(spec, c.naming), tiles);
                      }}}},
    {.param = Param::vector_rows,
     .name = "vector_rows",
     .flag = "--vector-rows",
     .help = "store output rows 4 values at a time: on or off (needs the tile's width m_w and the output width to be "
             "multiples of 4)",
     .type = ParamType::flag,
     .tag = "vr",
     .value = {0, 0},
     .min = 0,
     .max = 1,
     .candidates = {{0, 0}, {1, 0}},
     .kinds = {K::output_transform},
     .constraints = {{Needs::layer, [](const ParamSpec& spec, const KernelParams& p, const ParamContext& c) {
                          if (!p[spec.param][0] || (c.m.w % 4 == 0 && c.shape->out_w() % 4 == 0)) return std::string();
                          return fmt::format("vector output rows need the tile's and the output's width to be multiples "
                                             "of 4, not {} and {}",
                                             c.m.w, c.shape->out_w());
                      }}}},
};

int number(const ParamSpec& spec, const std::string& text, ParamNaming naming) {
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
        throw InputError(fmt::format("{} takes {}numbers from {} to {}, not '{}'", param_label(spec, naming),
                                     spec.type == ParamType::count_or_off ? "off or " : "", spec.min, spec.max, text));
    return std::stoi(text);
}

bool shapes_any(const ParamSpec& spec, const std::vector<KernelKind>& kinds) {
    return std::any_of(kinds.begin(), kinds.end(), [&](KernelKind k) { return applies_to(spec, k); });
}

std::string out_of_range(const ParamSpec& spec, const ParamValue& v, ParamNaming naming) {
    const int count = spec.type == ParamType::pair ? 2 : 1;
    for (int i = 0; i < count; ++i) {
        if ((spec.type == ParamType::unroll || spec.type == ParamType::count_or_off) && v[i] == 0) continue;
        if (spec.type == ParamType::choice && (v[i] < 0 || v[i] >= static_cast<int>(spec.choices.size())))
            return fmt::format("{} takes {}, not choice {}", param_label(spec, naming), fmt::join(spec.choices, ", "), v[i]);
        if (v[i] < spec.min || v[i] > spec.max)
            return fmt::format("{} must be {} to {}{}, not {}", param_label(spec, naming), spec.min, spec.max,
                               spec.type == ParamType::unroll         ? " or full"
                               : spec.type == ParamType::count_or_off ? " or off"
                               : count == 2                           ? " each"
                                                                      : "",
                               value_text(spec, v));
    }
    return "";
}

}  // namespace

const std::vector<ParamSpec>& param_table() { return table; }

const ParamSpec& param_spec(Param param) {
    const ParamSpec& spec = table.at(static_cast<std::size_t>(param));
    if (spec.param != param) throw std::logic_error(fmt::format("the parameter table's row of '{}' is out of Param's order", spec.name));
    return spec;
}

const char* param_label(const ParamSpec& spec, ParamNaming naming) {
    return naming == ParamNaming::flag ? spec.flag : spec.name;
}

const ParamSpec* find_param(std::string_view name) {
    const auto spec = std::find_if(table.begin(), table.end(), [&](const ParamSpec& s) { return name == s.name; });
    return spec == table.end() ? nullptr : &*spec;
}

KernelParams::KernelParams(DeviceClass device_class) {
    for (const ParamSpec& spec : table)
        values_.push_back(device_class == DeviceClass::gpu && spec.gpu_value ? *spec.gpu_value : spec.value);
}

const ParamValue& KernelParams::operator[](Param param) const { return values_[static_cast<std::size_t>(param)]; }
ParamValue& KernelParams::operator[](Param param) { return values_[static_cast<std::size_t>(param)]; }

KernelParams default_params(Backend backend) { return KernelParams(spec_of(backend).usual_device); }

bool applies_to(const ParamSpec& spec, KernelKind kind) {
    return std::find(spec.kinds.begin(), spec.kinds.end(), kind) != spec.kinds.end();
}

std::string value_text(const ParamSpec& spec, const ParamValue& v) {
    switch (spec.type) {
        case ParamType::count: return std::to_string(v[0]);
        case ParamType::pair: return fmt::format("{}x{}", v[0], v[1]);
        case ParamType::unroll: return v[0] ? std::to_string(v[0]) : "full";
        case ParamType::flag: return v[0] ? "on" : "off";
        case ParamType::choice: return spec.choices.at(static_cast<std::size_t>(v[0]));
        case ParamType::count_or_off: return v[0] ? std::to_string(v[0]) : "off";
    }
    throw std::logic_error("unknown parameter type");
}

ParamValue parse_value(const ParamSpec& spec, const std::string& text, ParamNaming naming) {
    switch (spec.type) {
        case ParamType::count: return {number(spec, text, naming), 0};
        case ParamType::unroll: {
            if (text == "full") return {0, 0};
            const int factor = number(spec, text, naming);  // 0 is how "full" is held, not a factor
            if (factor == 0) throw InputError(fmt::format("{} must be {} to {} or full, not 0", param_label(spec, naming), spec.min, spec.max));
            return {factor, 0};
        }
        case ParamType::pair: {
            const std::size_t comma = text.find(',');
            if (comma == std::string::npos) throw InputError(fmt::format("{} takes two numbers A,B, not '{}'", param_label(spec, naming), text));
            return {number(spec, text.substr(0, comma), naming), number(spec, text.substr(comma + 1), naming)};
        }
        case ParamType::flag:
            if (text == "on" || text == "true" || text == "1") return {1, 0};
            if (text == "off" || text == "false" || text == "0") return {0, 0};
            throw InputError(fmt::format("{} takes on or off, not '{}'", param_label(spec, naming), text));
        case ParamType::choice:
            for (std::size_t i = 0; i < spec.choices.size(); ++i)
                if (text == spec.choices[i]) return {static_cast<int>(i), 0};
            throw InputError(fmt::format("{} takes {}, not '{}'", param_label(spec, naming), fmt::join(spec.choices, ", "), text));
        case ParamType::count_or_off:
            if (text == "off") return {0, 0};
            return {number(spec, text, naming), 0};  // 0 is how off is held
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
    if (spec.type == ParamType::choice) return v[0] ? value_text(spec, v) : "";
    if (spec.type == ParamType::count_or_off && !v[0]) return "";
    return spec.tag + value_text(spec, v);
}

nlohmann::ordered_json to_json(const KernelParams& params) {
    nlohmann::ordered_json j;
    for (const ParamSpec& spec : table) {
        const ParamValue& v = params[spec.param];
        switch (spec.type) {
            case ParamType::count:
            case ParamType::count_or_off: j[spec.name] = v[0]; break;  // off is 0
            case ParamType::pair: j[spec.name] = {v[0], v[1]}; break;
            case ParamType::unroll:
            case ParamType::choice: j[spec.name] = value_text(spec, v); break;
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
        const ParamSpec* spec = find_param(key);
        if (!spec) throw InputError(fmt::format("unknown kernel parameter '{}'", key));
        auto bad = [&] { return InputError(fmt::format("kernel parameter '{}' cannot be {}", key, v.dump())); };
        ParamValue& value = params[spec->param];
        switch (spec->type) {
            case ParamType::count:
                value = {static_cast<int>(json_integer(v, spec->min, spec->max, fmt::format("kernel parameter '{}'", key))), 0};
                break;
            case ParamType::count_or_off:  // 0 is off
                value = {static_cast<int>(json_integer(v, 0, spec->max, fmt::format("kernel parameter '{}'", key))), 0};
                if (value[0] && value[0] < spec->min) throw bad();
                break;
            case ParamType::pair:
                if (!v.is_array() || v.size() != 2) throw bad();
                value = {static_cast<int>(json_integer(v[0], spec->min, spec->max, fmt::format("kernel parameter '{}'", key))),
                         static_cast<int>(json_integer(v[1], spec->min, spec->max, fmt::format("kernel parameter '{}'", key)))};
                break;
            case ParamType::unroll:
            case ParamType::choice:
                if (!v.is_string()) throw bad();
                value = parse_value(*spec, v.get<std::string>(), ParamNaming::key);
                break;
            case ParamType::flag:
                if (!v.is_boolean()) throw bad();
                value = {v.get<bool>() ? 1 : 0, 0};
                break;
        }
    }
    return params;
}

KernelParams fit_to_device(KernelParams params, const ParamContext& context, const std::vector<Param>& given) {
    if (!context.backend || !context.precision || !context.limits) return params;
    for (const ParamSpec& spec : table) {
        const auto& classes = spec.on_where_allowed;
        if (std::find(classes.begin(), classes.end(), context.limits->device_class) == classes.end() ||
            !shapes_any(spec, context.kinds) || std::find(given.begin(), given.end(), spec.param) != given.end())
            continue;
        for (const ParamValue& candidate : spec.candidates) {
            if (!candidate[0]) continue;  // off
            KernelParams on = params;
            on[spec.param] = candidate;
            const bool allowed = std::all_of(spec.constraints.begin(), spec.constraints.end(), [&](const ParamConstraint& c) {
                return (c.needs == Needs::layer && !context.shape) || c.violation(spec, on, context).empty();
            });
            if (!allowed) continue;
            params = on;
            break;
        }
    }
    return params;
}

void check_params(const KernelParams& params, const ParamContext& context) {
    // Every range before any constraint: a constraint may read other parameters (divide by them).
    for (const ParamSpec& spec : table)
        if (const std::string why = out_of_range(spec, params[spec.param], context.naming); !why.empty()) throw InputError(why);
    for (const ParamSpec& spec : table) {
        for (const ParamConstraint& c : spec.constraints) {
            if (c.needs != Needs::value && !shapes_any(spec, context.kinds)) continue;
            if ((c.needs == Needs::layer && !context.shape) || (c.needs == Needs::device && !context.limits)) continue;
            const std::string why = c.violation(spec, params, context);
            if (why.empty()) continue;
            if (c.needs == Needs::device) throw DeviceError(why);
            throw InputError(why);
        }
    }
}

}  // namespace wino
