// The CUDA rendition: every variant of F(2,3), F(4,3), F(6,3), F(2,5), F(4,5)
// compiled by nvcc for sm_75 and sm_90 (every arch from 75 to 90 in the long
// sweep) with no register spills; the PTX of each transform keeps the recipe's
// operation count; the .cuh transforms, built as host C++, agree with exact
// evaluation; where nvdisasm is found, the SASS of the tensor-core and int8
// GEMMs holds HMMA, IMMA and IDP.4A. Skipped (with a message) when nvcc
// is absent. Figures go to build/tests/cuda-report-F<m>_<r>.txt.
// And the kernels run, without a GPU or the toolkit ([emulated]): compiled as
// host C++ over tests/warp_emulation.hpp, the tensor-core GEMMs against the
// CUDA-core GEMM, and whole layers against run --check's bound.
#include "runtime/executor.hpp"
#include "runtime/host_reference.hpp"
#include "runtime/layer_error.hpp"
#include "runtime/layer_run.hpp"
#include "templates/emitter.hpp"
#include "templates/layer_plan.hpp"
#include "recipes/recipe_db.hpp"
#include "recipes/recipe_format.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

using namespace wino;
namespace fs = std::filesystem;

namespace {

const char* nvcc() { return WINO_NVCC; }
const char* nvdisasm() { return WINO_NVDISASM; }

struct Shell {
    int status;
    std::string output;
};

Shell shell(const std::string& command) {
    const std::string log = fs::temp_directory_path() / fmt::format("wino-shell-{}.log", ::getpid());
    const int status = std::system((command + " >" + log + " 2>&1").c_str());
    Shell s{WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::slurp(log)};
    fs::remove(log);
    return s;
}

fs::path scratch(int m, int r) {
    fs::path dir = fs::temp_directory_path() / fmt::format("wino-cuda-{}-{}-{}", m, r, ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// Arithmetic f32 instructions per .entry of a PTX file.
std::map<std::string, int> f32_ops_per_entry(const std::string& ptx) {
    std::map<std::string, int> counts;
    static const std::regex entry(R"(\.entry\s+(\w+))"), op(R"(\b(add|sub|mul|fma|neg)(\.rn|\.rz)?(\.ftz)?\.f32\b)");
    std::string current;
    std::istringstream lines(ptx);
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (std::regex_search(line, match, entry)) current = match[1];
        else if (!current.empty() && std::regex_search(line, op)) ++counts[current];
    }
    return counts;
}

// The oldest and newest architectures we build for bound the register budgets
// ptxas works to; the three between run in the long sweep.
const std::vector<int> bounding_archs = {75, 90}, every_arch = {75, 80, 86, 89, 90};

void check_config(int m, int r, Precision precision = Precision::fp32, const std::vector<int>& arch_numbers = bounding_archs) {
    if (!*nvcc()) {
        WARN("nvcc not found: CUDA compile checks skipped");
        return;
    }
    const fs::path dir = scratch(m, r);
    const RecipeSet s = recipes_for(m, r, default_points(m + r - 1), optimizer_options(precision));
    std::string report = fmt::format("F({},{}) {}\n", m, r, to_string(precision));
    std::string archs;
    for (int arch : arch_numbers) archs += fmt::format(" -gencode arch=compute_{0},code=sm_{0}", arch);
    std::set<std::string> compiled;
    // What a GPU layer gets (64×56×56→64's): the fused block fitted to the tile.
    const KernelParams params = suggested_params({1, 64, 56, 56, 64, r, r / 2}, m, DeviceClass::gpu);
    for (Variant v : {Variant::fused, Variant::nonfused})
        for (const EmittedKernel& k : emit_variant(v, ConvAlgorithm::square(s), params, Backend::cuda, precision)) {
            if (!compiled.insert(k.name).second) continue;
            const fs::path cu = dir / (k.name + ".cu");
            write(cu, k.source);
            const Shell result = shell(fmt::format("{} -c {} -o {} {} -Xptxas -v", nvcc(), cu.string(),
                                                   (dir / (k.name + ".o")).string(), archs));
            INFO(k.name << ":\n" << result.output);
            REQUIRE(result.status == 0);
            static const std::regex arch_line(R"(Compiling entry function '\w+' for '(sm_\d+)')"),
                spill_line(R"((\d+) bytes spill stores, (\d+) bytes spill loads)"), regs_line(R"(Used (\d+) registers)");
            std::istringstream lines(result.output);
            std::string arch;
            report += fmt::format("  {:<34}", k.name);
            for (std::string line; std::getline(lines, line);) {
                std::smatch match;
                if (std::regex_search(line, match, arch_line)) arch = match[1];
                if (std::regex_search(line, match, spill_line)) {
                    CHECK(match[1] == "0");
                    CHECK(match[2] == "0");
                }
                if (std::regex_search(line, match, regs_line)) report += fmt::format(" {}:{}", arch, match[1].str());
            }
            report += "  registers, no spills\n";
        }

    // PTX op counts of the transforms against the recipe.
    write(dir / "transforms.cuh", render_transform_header(s));
    write(dir / "probe.cu", fmt::format("#include \"transforms.cuh\"\n"
                                        "extern \"C\" __global__ void probe_input(const float* x, float* y) {{ winograd_f{0}_{1}_input(x, 1, y, 1); }}\n"
                                        "extern \"C\" __global__ void probe_filter(const float* x, float* y) {{ winograd_f{0}_{1}_filter(x, 1, y, 1); }}\n"
                                        "extern \"C\" __global__ void probe_output(const float* x, float* y) {{ winograd_f{0}_{1}_output(x, 1, y, 1); }}\n",
                                        m, r));
    const Shell ptx = shell(fmt::format("{} -ptx -arch=sm_80 {} -o {}", nvcc(), (dir / "probe.cu").string(),
                                        (dir / "probe.ptx").string()));
    REQUIRE(ptx.status == 0);
    const auto counts = f32_ops_per_entry(test::slurp((dir / "probe.ptx").string()));
    for (const TransformPart& part : transform_parts(s)) {
        const std::string name = part.name;
        const int ours = part.recipe.counts().total();
        const int in_ptx = counts.count("probe_" + name) ? counts.at("probe_" + name) : 0;
        INFO(name << " transform: recipe " << ours << ", PTX " << in_ptx);
        // The stated margin: at most 10% (and at least one op) above the recipe.
        CHECK(in_ptx <= ours + std::max(1, ours / 10));
        CHECK(in_ptx > 0);
        report += fmt::format("  {} transform: recipe {} ops, PTX (sm_80) {} f32 add/sub/mul/fma/neg\n", name, ours, in_ptx);
    }

    // The same header as host C++, against exact evaluation.
    std::string host = "#include \"transforms.cuh\"\n#include <stdio.h>\nint main(void) {\n  float x[64], y[64];\n"
                       "  for (int i = 0; i < 64; ++i) x[i] = (float)((i * 37) % 19 - 9) / 8.0f;\n";
    for (const TransformPart& part : transform_parts(s))
        host += fmt::format("  winograd_f{}_{}_{}(x, 1, y, 1);\n  for (int i = 0; i < 16; ++i) printf(\"%.9g\\n\", (double)y[i]);\n",
                            m, r, part.name);
    write(dir / "host.cpp", host + "  return 0;\n}\n");
    REQUIRE(shell(fmt::format("c++ -std=c++17 -O2 -Wall -Werror {} -o {}", (dir / "host.cpp").string(),
                              (dir / "host").string())).status == 0);
    std::istringstream got(shell((dir / "host").string()).output);
    for (const TransformPart& part : transform_parts(s))
        for (std::size_t i = 0; i < 16; ++i) {
            const ExactMatrix* mat = &part.matrix;
            double value = 0;
            got >> value;
            if (i >= mat->rows()) continue;
            Exact exact = 0;
            for (std::size_t j = 0; j < mat->cols(); ++j)
                exact = exact + (*mat)(i, j) * Exact(static_cast<int>((j * 37) % 19) - 9) / 8;
            CHECK(value == Approx(to_double(exact)).margin(1e-5).epsilon(1e-5));
        }
    const std::string suffix = precision == Precision::fp32 ? "" : fmt::format("-{}", to_string(precision));
    write(fs::path(WINO_BINARY_DIR) / fmt::format("cuda-report-F{}_{}{}.txt", m, r, suffix), report);
    fs::remove_all(dir);
}

// Where the cubins of each architecture of `object` stay, for check_sass.
fs::path cubins(const fs::path& object) { return fs::path(object).replace_extension("cubins"); }

// Compiles a kernel for `first_arch` and sm_90 with ptxas's report: it
// compiles, and spills on neither. nvcc keeps its cubins in cubins(object).
void compile_without_spills(const fs::path& cu, const fs::path& object, int first_arch) {
    fs::create_directories(cubins(object));
    const Shell compiled = shell(fmt::format("{0} -c {1} -o {2} -gencode arch=compute_{3},code=sm_{3} "
                                             "-gencode arch=compute_90,code=sm_90 -Xptxas -v -Werror all-warnings "
                                             "--keep --keep-dir {4}",
                                             nvcc(), cu.string(), object.string(), first_arch, cubins(object).string()));
    INFO(compiled.output);
    REQUIRE(compiled.status == 0);
    static const std::regex spills(R"((\d+) bytes spill stores, (\d+) bytes spill loads)");
    int archs = 0;
    for (std::sregex_iterator it(compiled.output.begin(), compiled.output.end(), spills), end; it != end; ++it, ++archs) {
        CHECK((*it)[1] == "0");
        CHECK((*it)[2] == "0");
    }
    CHECK(archs == 2);
}

// A CUDA 13 cubin's ELF header (ABI version 8) holds its SM in e_flags' bits
// 8-15; an nvdisasm older than the toolkit (Debian's 11.8, from scripts/setup)
// reads only ABI version 7's, which holds the SM in bits 0-7 and, as the
// virtual SM, 16-23, beside the unified-texture and 64-bit-address flags
// (0x500: what ptxas 11.8 writes). The instructions' encoding is the SM's, the
// same in both; so the copy it reads differs in those header bytes alone.
fs::path header_an_older_nvdisasm_reads(const fs::path& cubin) {
    std::string elf = test::slurp(cubin.string());
    constexpr std::size_t abi_version = 8, flags = 0x30;
    REQUIRE(elf.size() > flags + 4);
    REQUIRE(elf.compare(0, 4, "\x7f" "ELF") == 0);
    if (elf[abi_version] != 8) return cubin;
    std::uint32_t e_flags = 0;
    std::memcpy(&e_flags, elf.data() + flags, 4);
    const std::uint32_t sm = (e_flags >> 8) & 0xff;
    e_flags = sm << 16 | 0x500 | sm;
    elf[abi_version] = 7;
    std::memcpy(elf.data() + flags, &e_flags, 4);
    const fs::path copy = fs::path(cubin).replace_extension("abi7");
    write(copy, elf);
    return copy;
}

// Where nvdisasm is found: each architecture's cubin (`archs` of them, kept by
// compile_without_spills) runs `mnemonic` in hardware, as ptxas wrote it
// (HMMA, IMMA, IDP.4A).
void check_sass(const fs::path& object, const std::string& mnemonic, int archs) {
    if (!*nvdisasm()) {
        static bool warned = false;
        if (!std::exchange(warned, true)) WARN("nvdisasm not found (scripts/setup unpacks Debian's): SASS checks skipped");
        return;
    }
    int sections = 0;
    for (const fs::directory_entry& kept : fs::directory_iterator(cubins(object))) {
        const fs::path& cubin = kept.path();
        if (cubin.extension() != ".cubin") continue;
        const Shell sass = shell(fmt::format("{} -c {}", nvdisasm(),
                                             (WINO_NVDISASM_OLDER ? header_an_older_nvdisasm_reads(cubin) : cubin).string()));
        INFO(cubin << "\n" << sass.output);
        REQUIRE(sass.status == 0);
        CHECK(sass.output.find(mnemonic) != std::string::npos);
        ++sections;
    }
    CHECK(sections == archs);
}

}  // namespace

// F6_3, the tile nearest the register limit, in fp32 and fp16 arithmetic. The other tiles, r = 5 and
// fp16-storage take the same emitter paths: the long sweep below compiles them for every architecture, and
// test_cuda_compiler compiles the selftest's kernels (r 3 and 5, every precision) through NVRTC for sm_90.
TEST_CASE("CUDA kernels of F6_3 compile for sm_75 and sm_90 without spills", "[nvcc]") { check_config(6, 3); }
TEST_CASE("fp16 CUDA kernels of F6_3 compile for sm_75 and sm_90 without spills", "[nvcc]") { check_config(6, 3, Precision::fp16); }

TEST_CASE("staged GEMMs compile for sm_75 and sm_90 without spills, in the shared memory they declare, by cp.async where it applies",
          "[nvcc]") {
    if (!*nvcc()) {
        WARN("nvcc not found: CUDA compile checks skipped");
        return;
    }
    const fs::path dir = scratch(4, 3);
    static const std::regex smem_line(R"(Compiling entry function '\w+' for '(sm_\d+)'[\s\S]*?(\d+) bytes spill stores, (\d+) bytes spill loads[\s\S]*?(\d+) bytes smem)");
    for (Precision precision : {Precision::fp32, Precision::fp16_storage, Precision::fp16})
        for (const char* staging : {"shared", "double"}) {
            const RecipeSet s = recipes_for(4, 3, default_points(6), optimizer_options(precision));
            KernelParams params = default_params(Backend::cuda);
            const ParamSpec& spec = param_spec(Param::gemm_staging);
            params[Param::gemm_staging] = parse_value(spec, staging, ParamNaming::key);
            const EmittedKernel k = emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), params, Backend::cuda, precision);
            INFO(k.name << " " << to_string(precision));
            CHECK_THAT(k.name, Catch::EndsWith(std::string("_") + staging));
            write(dir / (k.name + ".cu"), k.source);
            const Shell compiled = shell(fmt::format("{} -c {} -o {} -gencode arch=compute_75,code=sm_75 "
                                                     "-gencode arch=compute_90,code=sm_90 -Xptxas -v",
                                                     nvcc(), (dir / (k.name + ".cu")).string(), (dir / (k.name + ".o")).string()));
            INFO(compiled.output);
            REQUIRE(compiled.status == 0);
            int archs = 0;
            for (std::sregex_iterator it(compiled.output.begin(), compiled.output.end(), smem_line), end; it != end; ++it, ++archs) {
                CHECK((*it)[2] == "0");
                CHECK((*it)[3] == "0");
                CHECK(std::stoll((*it)[4]) <= gemm_shared_bytes(params, Backend::cuda));
                CHECK(std::stoll((*it)[4]) >= gemm_shared_bytes(params, Backend::cuda) / (precision == Precision::fp16 ? 2 : 1));
            }
            CHECK(archs == 2);
            // cp.async from sm_80 on, for fp32 quads (16 bytes as they stand) only.
            for (int arch : {75, 90}) {
                const fs::path ptx = dir / fmt::format("{}_{}.ptx", k.name, arch);
                REQUIRE(shell(fmt::format("{} -ptx -arch=sm_{} {} -o {}", nvcc(), arch, (dir / (k.name + ".cu")).string(),
                                          ptx.string())).status == 0);
                const bool async = test::slurp(ptx.string()).find("cp.async.cg.shared.global") != std::string::npos;
                CHECK(async == (arch >= 80 && precision == Precision::fp32));
            }
        }
    fs::remove_all(dir);
}

// prelude.mma.cuh's fragment loads: lane (g, t) = (lane / 4, lane % 4) reads
// rows t and t + 4 of a staged block at word g, and of U also g + 8; each is
// one shared-memory load of the warp. Every block shape of the tuner's
// candidates reads each in 32 banks, at every precision: the emitted row
// strides, padded as GemmBlock pads them.
TEST_CASE("tensor-core GEMMs read their fragments from shared memory without bank conflicts") {
    const RecipeSet s = recipes_for(4, 3, default_points(6), optimizer_options(Precision::tf32));
    const ParamSpec &threads = param_spec(Param::gemm_threads), &registers = param_spec(Param::gemm_registers);
    static const std::regex row(R"(TC_LOAD_([AB])\([ab]\d+, staged_[uv], stage \* \d+ \+ tile_[kp]\d+, (\d+)\))");
    int shapes = 0;
    for (Precision precision : {Precision::fp16_mixed, Precision::tf32, Precision::split_tf32, Precision::int8})
        for (const ParamValue& t : threads.candidates)
            for (const ParamValue& r : registers.candidates) {
                KernelParams params = default_params(Backend::cuda);
                params[Param::tensor_cores][0] = 1;
                params[Param::gemm_staging] = parse_value(param_spec(Param::gemm_staging), "double", ParamNaming::key);
                params[Param::gemm_threads] = t;
                params[Param::gemm_registers] = r;
                try {
                    check_params(params, ParamContext{.kinds = {KernelKind::gemm}, .backend = Backend::cuda, .precision = precision});
                } catch (const InputError&) {
                    continue;  // the block does not split into 16x8 tiles a warp
                }
                const EmittedKernel k = emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), params, Backend::cuda, precision);
                INFO(k.name);
                std::set<std::string> operands;
                for (std::sregex_iterator it(k.source.begin(), k.source.end(), row), end; it != end; ++it) {
                    operands.insert((*it)[1]);
                    const int stride = std::stoi((*it)[2]);
                    for (int word : (*it)[1] == "A" ? std::vector{0, 8} : std::vector{0})
                        for (int rows : {0, 4}) {
                            std::set<int> banks;
                            for (int lane = 0; lane < 32; ++lane) banks.insert(((rows + lane % 4) * stride + lane / 4 + word) % 32);
                            CHECK(banks.size() == 32);
                        }
                }
                CHECK(operands == std::set<std::string>{"A", "B"});
                ++shapes;
            }
    CHECK(shapes >= 8);
}

TEST_CASE("tensor-core GEMMs compile for their first architecture and sm_90 without spills, one mma a warp tile and block (three at split-tf32), and only where they apply",
          "[nvcc]") {
    const RecipeSet s = recipes_for(4, 3, default_points(6), optimizer_options(Precision::fp16_mixed));
    const ParamSpec& staging = param_spec(Param::gemm_staging);
    // In GLSL at a TF32 precision from shared memory (cooperative matrices take binary16 operands), the
    // parameter is refused before a kernel is written.
    KernelParams refused = default_params(Backend::cuda);
    refused[Param::tensor_cores][0] = 1;
    refused[Param::gemm_staging] = parse_value(staging, "double", ParamNaming::key);
    CHECK_THROWS_WITH(emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), refused, Backend::glsl, Precision::tf32),
                      Catch::Contains("cooperative matrices of binary16 operands: precision fp16-mixed, not tf32"));
    for (Precision precision : {Precision::fp16, Precision::fp32, Precision::fp16_storage})
        CHECK_THROWS_WITH(emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), refused, Backend::cuda, precision),
                          Catch::Contains("precision fp16-mixed, tf32, split-tf32, int8, int8-io, split-int8 or split-int8-io"));
    if (!*nvcc()) {
        WARN("nvcc not found: CUDA compile checks skipped");
        return;
    }
    const fs::path dir = scratch(4, 3);
    struct Block {
        ParamValue threads, registers;
        int tiles_a_warp;
    };
    // Each precision's mma (binary16 from sm_75, TF32 and int8 from sm_80), how many a warp tile and block
    // takes, and the tensor-core instruction it becomes in SASS.
    struct TensorCorePrecision {
        Precision precision;
        int first_arch;
        const char* mma;
        std::size_t per_block;
        const char* sass;
    };
    for (const TensorCorePrecision& tc :
         {TensorCorePrecision{Precision::fp16_mixed, 75, "mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32", 1, "HMMA"},
          {Precision::tf32, 80, "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32", 1, "HMMA"},
          {Precision::split_tf32, 80, "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32", 3, "HMMA"},
          {Precision::int8, 80, "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32", 1, "IMMA"},
          // split-int8's GEMM is int8's: its three products are planes of M, a GEMM each.
          {Precision::split_int8, 80, "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32", 1, "IMMA"}})
        // Each staging once a precision: double buffering with the largest register tile (the most
        // registers: the spill risk), single with the smallest.
        for (const auto& [staged, block] : {std::pair{"double", Block{{2, 32}, {8, 8}, 16}},
                                            std::pair{"shared", Block{{4, 32}, {4, 4}, 4}}}) {
                KernelParams params = default_params(Backend::cuda);
                params[Param::tensor_cores][0] = 1;
                params[Param::gemm_staging] = parse_value(staging, staged, ParamNaming::key);
                params[Param::gemm_threads] = block.threads;
                params[Param::gemm_registers] = block.registers;
                const EmittedKernel k = emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), params, Backend::cuda, tc.precision);
                INFO(k.name);
                CHECK_THAT(k.name, Catch::EndsWith("_tc"));
                CHECK_THAT(k.name, Catch::Contains(fmt::format("_{}_", spec_of(tc.precision).tag)));
                const fs::path cu = dir / (k.name + ".cu"), ptx = dir / (k.name + ".ptx");
                write(cu, k.source);
                compile_without_spills(cu, dir / (k.name + ".o"), tc.first_arch);
                check_sass(dir / (k.name + ".o"), tc.sass, 2);
                REQUIRE(shell(fmt::format("{} -ptx -arch=sm_90 {} -o {}", nvcc(), cu.string(), ptx.string())).status == 0);
                // A warp's tiles (d0, d1, ...), once in the loop over whole blocks and once for the tail block;
                // nvcc may unroll the loop, so the PTX holds a multiple of that.
                const auto tiles = static_cast<std::size_t>(block.tiles_a_warp);
                const std::regex block_product(R"(TC_PRODUCT_ADD\(acc[0-9]+,)");
                CHECK(static_cast<std::size_t>(std::distance(std::sregex_iterator(k.source.begin(), k.source.end(), block_product),
                                                             std::sregex_iterator())) == 2 * tiles);
                const std::string text = test::slurp(ptx.string());
                std::size_t mma = 0;
                for (std::size_t at = text.find("mma.sync"); at != std::string::npos; at = text.find("mma.sync", at + 1)) {
                    CHECK(text.compare(at, std::strlen(tc.mma), tc.mma) == 0);
                    ++mma;
                }
                CHECK(mma >= 2 * tc.per_block * tiles);
                CHECK(mma % (tc.per_block * tiles) == 0);
            }
    fs::remove_all(dir);
}

TEST_CASE("the same CUDA kernels compile for every architecture from sm_75 to sm_90 without spills", "[nvcc][.][long]") {
    for (auto [m, r] : {std::pair{2, 3}, {4, 3}, {6, 3}, {2, 5}, {4, 5}}) check_config(m, r, Precision::fp32, every_arch);
    for (Precision p : {Precision::fp16_storage, Precision::fp16}) check_config(6, 3, p, every_arch);
}

TEST_CASE("int8 and split-int8 CUDA kernels compile for sm_75 and sm_90 without spills, the GEMM's product by dp4a with int32 sums",
          "[nvcc]") {
    if (!*nvcc()) {
        WARN("nvcc not found: CUDA compile checks skipped");
        return;
    }
    // The default tile, and the largest (the most registers: split-int8's input transform packs it a part a pass).
    for (const auto& [m, precision] : {std::pair{4, Precision::int8}, {6, Precision::int8}, {4, Precision::split_int8}, {6, Precision::split_int8}}) {
        const RecipeSet s = optimize_recipes(build_toom_cook(m, 3, default_points(m + 2)), optimizer_options(precision));
        const fs::path dir = scratch(m, 3);
        for (const EmittedKernel& k : emit_variant(Variant::nonfused, ConvAlgorithm::square(s), default_params(Backend::cuda),
                                                   Backend::cuda, precision)) {
            INFO(k.name);
            CHECK_THAT(k.name, Catch::Contains("_i8"));
            const fs::path cu = dir / (k.name + ".cu"), ptx = dir / (k.name + ".ptx");
            write(cu, k.source);
            compile_without_spills(cu, dir / (k.name + ".o"), 75);
            if (k.kind == KernelKind::gemm) check_sass(dir / (k.name + ".o"), "IDP.4A", 2);
            // sm_90's PTX: every GEMM's, and one tile's transforms (the others are the same code at other sizes).
            if (k.kind != KernelKind::gemm && m != 4) continue;
            REQUIRE(shell(fmt::format("{} -ptx -arch=sm_90 {} -o {}", nvcc(), cu.string(), ptx.string())).status == 0);
            const std::string text = test::slurp(ptx.string());
            if (k.kind == KernelKind::gemm) {
                CHECK(text.find("dp4a.s32.s32") != std::string::npos);
                CHECK(text.find(".f32") == std::string::npos);  // no float arithmetic: the sums stay int32
            } else {
                CHECK(text.find("dp4a") == std::string::npos);
            }
        }
        fs::remove_all(dir);
    }
}

TEST_CASE("GEMMs whose warps share their loads compile for sm_75 and sm_90 without spills, and load a quad once a warp", "[nvcc]") {
    if (!*nvcc()) {
        WARN("nvcc not found: CUDA compile checks skipped");
        return;
    }
    const fs::path dir = scratch(4, 3);
    // A row of 32 threads: the warp shares U, each lane its own V; rows of 4:
    // both shared (8 rows of U, 4 columns of V a warp).
    for (const ParamValue threads : {ParamValue{2, 32}, ParamValue{8, 4}})
        for (Precision precision : {Precision::fp32, Precision::fp16, Precision::int8}) {
            const RecipeSet s = recipes_for(4, 3, default_points(6), optimizer_options(precision));
            KernelParams params = default_params(Backend::cuda);
            params[Param::gemm_threads] = threads;
            // A block of 8 channels' global loads in PTX, by each lane, alone and shared.
            auto block_loads = [&](int lanes) {
                params[Param::gemm_subgroup] = {lanes, 0};
                const EmittedKernel k = emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), params, Backend::cuda, precision);
                INFO(k.name);
                const fs::path cu = dir / (k.name + ".cu"), ptx = dir / (k.name + ".ptx");
                write(cu, k.source);
                if (lanes) {
                    CHECK_THAT(k.name, Catch::EndsWith("_sg32"));
                    compile_without_spills(cu, dir / (k.name + ".o"), 75);
                    check_sass(dir / (k.name + ".o"), "SHFL.IDX", 2);
                }
                REQUIRE(shell(fmt::format("{} -ptx -arch=sm_90 {} -o {}", nvcc(), cu.string(), ptx.string())).status == 0);
                const std::string text = test::slurp(ptx.string());
                std::size_t loads = 0, shuffles = 0;
                for (std::size_t at = 0; (at = text.find("ld.global.nc", at)) != std::string::npos; ++at) ++loads;
                for (std::size_t at = 0; (at = text.find("shfl.sync.idx.b32", at)) != std::string::npos; ++at) ++shuffles;
                return std::pair{loads, shuffles};
            };
            INFO(threads[0] << "x" << threads[1] << " " << to_string(precision));
            const auto [alone, no_shuffles] = block_loads(0);
            const auto [shared, shuffles] = block_loads(32);
            CHECK(no_shuffles == 0);
            // 8 channels of 2 U and 2 V quads a lane (8x8 registers): 32 loads a block alone; shared, U's 16
            // (of 2x32) or 128 (8x4) quads a warp take 1 or 4 loads a lane, V's 16 or 2.
            CHECK(alone - shared == (threads == ParamValue{2, 32} ? 16 - 1 : 32 - 4 - 2));
            const int words = precision == Precision::fp16 ? 2 : 4;  // a REAL4's 32-bit words
            CHECK(shuffles == static_cast<std::size_t>((threads == ParamValue{2, 32} ? 16 : 32) * words));
        }
    fs::remove_all(dir);
}

TEST_CASE("int8-io CUDA kernels compile for sm_75 and sm_90 without spills: the input transform loads bytes, the output transform stores them", "[nvcc]") {
    if (!*nvcc()) {
        WARN("nvcc not found: CUDA compile checks skipped");
        return;
    }
    // The transforms that read and write the tensors: the filter transform and the GEMM are int8's (the test above).
    const RecipeSet s = optimize_recipes(build_toom_cook(4, 3, default_points(6)), optimizer_options(Precision::int8_io));
    const fs::path dir = scratch(4, 3);
    KernelParams vector_rows = default_params(Backend::cuda);
    vector_rows[Param::vector_rows][0] = 1;
    for (const auto& [kind, p] : {std::pair{KernelKind::input_transform, default_params(Backend::cuda)},
                                  std::pair{KernelKind::output_transform, default_params(Backend::cuda)},
                                  std::pair{KernelKind::output_transform, vector_rows}}) {
        const EmittedKernel k = emit_kernel(kind, ConvAlgorithm::square(s), p, Backend::cuda, Precision::int8_io);
        INFO(k.name);
        CHECK_THAT(k.name, Catch::Contains("_i8io"));
        const fs::path cu = dir / (k.name + ".cu"), ptx = dir / (k.name + ".ptx");
        write(cu, k.source);
        compile_without_spills(cu, dir / (k.name + ".o"), 75);
        REQUIRE(shell(fmt::format("{} -ptx -arch=sm_90 {} -o {}", nvcc(), cu.string(), ptx.string())).status == 0);
        const std::string text = test::slurp(ptx.string());
        // F(4,3)'s 6x6 pixels a byte each in; 16 outputs a byte each out (4 words of 4 with vector_rows).
        CHECK((text.find("ld.global.nc.s8") != std::string::npos) == (kind == KernelKind::input_transform));
        const bool stores_bytes = text.find("st.global.u8") != std::string::npos || text.find("st.global.v4.u8") != std::string::npos;
        CHECK(stores_bytes == (kind == KernelKind::output_transform));
    }
    fs::remove_all(dir);
}

namespace {

// A kernel compiled as host C++ over tests/warp_emulation.hpp and loaded:
// run(arguments, groups, threads) launches it on the CPU.
struct EmulatedKernel {
    using Run = void (*)(void**, const unsigned*, unsigned);
    std::shared_ptr<void> library;
    Run run;
};

// How an emulated kernel is compiled, and tests/warp_emulation.hpp precompiled
// with the same flags beside a copy of it, once a process (the header is over
// half of each kernel's compile); the copy's folder goes when the process ends.
constexpr const char* emulation_flags = "-std=c++20 -O1 -pthread -fPIC -w";
struct EmulationHeader {
    fs::path dir = fs::temp_directory_path() / fmt::format("wino-emulation-{}", ::getpid()), header = dir / "warp_emulation.hpp";
    EmulationHeader() {
        fs::create_directories(dir);
        fs::copy_file(fs::path(WINO_SOURCE_DIR) / "tests/warp_emulation.hpp", header, fs::copy_options::overwrite_existing);
        const Shell built = shell(fmt::format("c++ {} -x c++-header {} -o {}.gch", emulation_flags, header.string(), header.string()));
        INFO(built.output);
        REQUIRE(built.status == 0);
    }
    ~EmulationHeader() { fs::remove_all(dir); }
};
const fs::path& emulation_header() {
    static const EmulationHeader precompiled;
    return precompiled.header;
}

EmulatedKernel emulated(const EmittedKernel& k, const fs::path& dir) {
    const fs::path cu = dir / (k.name + ".cu"), library = dir / (k.name + ".so");
    write(cu, k.source + "\nWINO_EMULATED_LAUNCH\n");
    const Shell built = shell(fmt::format("c++ {} -shared -include {} -x c++ {} -o {}", emulation_flags, emulation_header().string(),
                                          cu.string(), library.string()));
    INFO(k.name << ":\n" << built.output);
    REQUIRE(built.status == 0);
    std::shared_ptr<void> handle(dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL), [](void* h) { if (h) dlclose(h); });
    REQUIRE(handle);
    auto run = reinterpret_cast<EmulatedKernel::Run>(dlsym(handle.get(), "wino_emulated_run"));
    REQUIRE(run);
    return {handle, run};
}

// One launch of the plan's kernel on `buffers`, with CUDA's arguments: a
// pointer to each buffer the kernel binds, in its order, then the Params.
void emulated_launch(const EmulatedKernel& kernel, const ConvPlan& plan, const Launch& l,
                     std::map<BufferId, std::vector<std::uint32_t>>& buffers) {
    const EmittedKernel& k = plan.kernels[l.kernel];
    std::vector<void*> pointers, arguments;
    for (const BufferUse& use : k.buffers) pointers.push_back(buffers.at(use.buffer).data());
    for (void*& p : pointers) arguments.push_back(&p);
    KernelArgs args = plan.args;
    arguments.push_back(&args);
    const std::array<unsigned, 3> groups = {l.groups[0], l.groups[1], l.groups[2]};
    kernel.run(arguments.data(), groups.data(), static_cast<unsigned>(k.workgroup_size));
}

// The plan's GEMM run on `u` and `v` (words, as the plan's buffers hold them):
// M, poisoned first so that a value it misses shows.
std::vector<std::uint32_t> emulated_gemm(const ConvPlan& plan, const std::vector<std::uint32_t>& u, const std::vector<std::uint32_t>& v,
                                         const fs::path& dir) {
    const auto gemm = std::find_if(plan.input_launches.begin(), plan.input_launches.end(),
                                   [&](const Launch& l) { return plan.kernels[l.kernel].kind == KernelKind::gemm; });
    REQUIRE(gemm != plan.input_launches.end());
    const EmittedKernel& k = plan.kernels[gemm->kernel];
    std::map<BufferId, std::vector<std::uint32_t>> buffers = {
        {BufferId::u, u}, {BufferId::v, v}, {BufferId::product, std::vector<std::uint32_t>(plan.buffer_floats.at(BufferId::product), 0x7fc00001u)}};
    REQUIRE(u.size() == plan.buffer_floats.at(BufferId::u));
    REQUIRE(v.size() == plan.buffer_floats.at(BufferId::v));
    emulated_launch(emulated(k, dir), plan, *gemm, buffers);
    return buffers.at(BufferId::product);
}

}  // namespace

// What no GPU has run yet, run on the CPU: each tensor-core GEMM in an
// emulation of its warps' mma.sync (PTX's fragment layouts, tests/warp_emulation.hpp),
// against the same layer's GEMM on CUDA cores, on the same U and V. C = 40 is a
// whole block of 32 channels and a tail, K = 24 a partial tile of 16 filters,
// 3x3 tiles a partial tile of 8. int8 sums are exact, so M is the same to the
// bit; at fp16-mixed and split-tf32 each sum is within fp32's rounding of 40
// terms, at tf32 within its operands' rounding too.
TEST_CASE("tensor-core GEMMs, run in a CPU emulation of their warps, give the GEMM on CUDA cores' M", "[emulated]") {
    const fs::path dir = scratch(4, 3);
    // The suggested block (16x256: two warps of 1x16 tiles) at K = 24, single and double buffered; and at
    // int8 and tf32, 64x64 in two warps of 2x8 tiles, one above the other, at K = 56: the second warp's
    // second row of tiles past K.
    struct Case {
        const char* staged;
        int K = 24;
        std::optional<ParamValue> threads = std::nullopt, registers = std::nullopt;
    };
    for (Precision precision : {Precision::int8, Precision::fp16_mixed, Precision::tf32, Precision::split_tf32})
        for (const Case& block : {Case{"shared"}, Case{"double"}, Case{"double", 56, ParamValue{4, 16}, ParamValue{16, 4}}}) {
            if (block.threads && precision != Precision::int8 && precision != Precision::tf32) continue;
            INFO(to_string(precision) << ", " << block.staged << ", K " << block.K);
            const ConvShape shape{1, 40, 10, 12, block.K, 3, 1};
            ConvConfig cores{.variant = Variant::nonfused, .m = 4, .params = suggested_params(shape, 4, DeviceClass::gpu), .precision = precision};
            cores.params[Param::gemm_staging] = parse_value(param_spec(Param::gemm_staging), block.staged, ParamNaming::key);
            if (block.threads) {
                cores.params[Param::gemm_threads] = *block.threads;
                cores.params[Param::gemm_registers] = *block.registers;
            }
            if (precision == Precision::int8) cores.clips = {.taps = std::vector<float>(36, 1.0f), .weights = 0, .source = "given"};  // the GEMM reads none
            ConvConfig tensor_cores = cores;
            tensor_cores.params[Param::tensor_cores][0] = 1;
            const ConvPlan on_cores = make_plan(shape, cores, Backend::cuda), on_tensor_cores = make_plan(shape, tensor_cores, Backend::cuda);
            // int8: random codes in [-127, 127], 4 a word; fp16-mixed: two binary16 values a word; otherwise an
            // fp32 value; the values in [-1, 1).
            std::mt19937 random(7);
            auto value = [&] { return std::uniform_real_distribution<float>(-1, 1)(random); };
            auto binary16 = [](float x) {
                const _Float16 h = static_cast<_Float16>(x);
                std::uint16_t bits;
                std::memcpy(&bits, &h, sizeof bits);
                return std::uint32_t{bits};
            };
            auto words = [&](std::size_t n) {
                std::vector<std::uint32_t> w(n);
                for (std::uint32_t& word : w) {
                    if (precision == Precision::int8) {
                        word = 0;
                        for (int byte = 0; byte < 4; ++byte) word |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(int(random() % 255) - 127)) << (8 * byte);
                    } else if (precision == Precision::fp16_mixed) {
                        word = binary16(value()) | binary16(value()) << 16;
                    } else {
                        const float x = value();
                        std::memcpy(&word, &x, sizeof word);
                    }
                }
                return w;
            };
            const std::vector<std::uint32_t> u = words(on_cores.buffer_floats.at(BufferId::u)), v = words(on_cores.buffer_floats.at(BufferId::v));
            const std::vector<std::uint32_t> expected = emulated_gemm(on_cores, u, v, dir), got = emulated_gemm(on_tensor_cores, u, v, dir);
            // M[xi][k][p], p over the padded tiles; the tiles past P are not M's.
            const KernelArgs& a = on_cores.args;
            const int alpha2 = static_cast<int>(on_cores.buffer_floats.at(BufferId::product) / (static_cast<std::size_t>(a.K) * a.p_quads * 4));
            int compared = 0, differing = 0, zero = 0;
            for (int xi = 0; xi < alpha2; ++xi)
                for (int k = 0; k < a.K; ++k)
                    for (int p = 0; p < a.P; ++p) {
                        const std::size_t at = (static_cast<std::size_t>(xi) * a.K + k) * a.p_quads * 4 + p;
                        ++compared;
                        zero += expected[at] == 0;  // both GEMMs reading unfilled shared memory would agree on 0
                        if (precision == Precision::int8) {
                            differing += expected[at] != got[at];
                        } else {
                            float e, g;
                            std::memcpy(&e, &expected[at], sizeof e);
                            std::memcpy(&g, &got[at], sizeof g);
                            // tf32: each operand within 2^-11 relative, over 40 products of |value| < 1; fp16-mixed
                            // (exact products) and split-tf32: fp32 sums of 40 in another order.
                            const double bound = precision == Precision::tf32 ? 40 * 2.0 * std::ldexp(1.0, -11) : 40 * 40 * std::ldexp(1.0, -24);
                            differing += !(std::abs(double(e) - g) <= bound);
                        }
                    }
            CHECK(compared == alpha2 * a.K * a.P);
            CHECK(zero < compared / 100);
            CHECK(differing == 0);
        }
    fs::remove_all(dir);
}

// The GEMM whose warps share their loads (__shfl_sync emulated as a
// collective of the warp's 32 threads), against the same GEMM loading every
// quad in every lane, on the same U and V: the same sums in the same order,
// so the same M to the bit. Rows of 4 threads, so that a warp shares both U
// (8 rows) and V (4 columns); C = 40: a whole block of channels and a tail;
// F(2,3), the fewest positions to emulate. The other thread shapes and
// precisions are the same generator's (run bit for bit on lavapipe,
// test_conv2d and test_int8, and compiled by nvcc above).
TEST_CASE("GEMMs whose warps share their loads, run in a CPU emulation of their warps, give the same M to the bit", "[emulated]") {
    const fs::path dir = scratch(2, 3);
    const ConvShape shape{1, 40, 10, 12, 24, 3, 1};
    ConvConfig alone{.variant = Variant::nonfused, .m = 2, .params = suggested_params(shape, 2, DeviceClass::gpu)};
    alone.params[Param::gemm_threads] = {8, 4};
    alone.params[Param::gemm_registers] = {8, 8};
    ConvConfig shared = alone;
    shared.params[Param::gemm_subgroup] = {32, 0};
    const ConvPlan plan_alone = make_plan(shape, alone, Backend::cuda), plan_shared = make_plan(shape, shared, Backend::cuda);
    std::mt19937 random(11);
    auto words = [&](std::size_t n) {
        std::vector<std::uint32_t> w(n);
        for (std::uint32_t& word : w) {
            const float x = std::uniform_real_distribution<float>(-1, 1)(random);
            std::memcpy(&word, &x, sizeof word);
        }
        return w;
    };
    const std::vector<std::uint32_t> u = words(plan_alone.buffer_floats.at(BufferId::u)), v = words(plan_alone.buffer_floats.at(BufferId::v));
    const std::vector<std::uint32_t> expected = emulated_gemm(plan_alone, u, v, dir);
    CHECK(std::count(expected.begin(), expected.end(), 0x7fc00001u) < static_cast<std::ptrdiff_t>(expected.size() / 2));
    CHECK(emulated_gemm(plan_shared, u, v, dir) == expected);
    fs::remove_all(dir);
}

namespace {

// A layer's CUDA kernels, every one emulated (tests/warp_emulation.hpp), in
// host buffers: the executor the runtime's CUDA one is, without a GPU. Each
// buffer is followed by guard words, which check_guards finds unchanged.
class EmulatedCudaLayer final : public LoadedLayer {
public:
    EmulatedCudaLayer(ConvPlan plan, const fs::path& dir) : LoadedLayer(std::move(plan)) {
        for (const auto& [id, words] : plan_.buffer_floats) buffers_[id].assign(words + guard_words, guard);
        for (const EmittedKernel& k : plan_.kernels) kernels_.push_back(emulated(k, dir));
    }
    void check_guards() const override {
        for (const auto& [id, words] : buffers_)
            if (!std::all_of(words.end() - guard_words, words.end(), [](std::uint32_t w) { return w == guard; }))
                throw std::runtime_error(fmt::format("a kernel wrote past the {} buffer", to_string(id)));
    }

protected:
    void upload_filters(const std::vector<std::byte>& filters) override {
        upload(BufferId::filters, filters);
        for (const Launch& l : plan_.filter_launches) launch(l);
    }
    void upload(BufferId buffer, const std::vector<std::byte>& values) override {
        REQUIRE(values.size() <= plan_.buffer_floats.at(buffer) * 4);
        std::memcpy(buffers_.at(buffer).data(), values.data(), values.size());
    }
    KernelTimes run_input(const std::vector<std::byte>& input, std::uint32_t poison, std::vector<std::byte>& output) override {
        upload(BufferId::images, input);
        std::vector<std::uint32_t>& result = buffers_.at(BufferId::result);
        std::fill(result.begin(), result.end() - guard_words, poison);
        for (const Launch& l : plan_.input_launches) launch(l);
        output.resize(plan_.buffer_floats.at(BufferId::result) * 4);
        std::memcpy(output.data(), result.data(), output.size());
        return {};
    }
    KernelTimes run_arrays(const DeviceArray&, DeviceArray&) override { throw std::logic_error("the emulation runs host vectors only"); }

private:
    static constexpr std::size_t guard_words = 64;
    static constexpr std::uint32_t guard = 0x5a5a5a5au;

    void launch(const Launch& l) { emulated_launch(kernels_[l.kernel], plan_, l, buffers_); }

    std::map<BufferId, std::vector<std::uint32_t>> buffers_;
    std::vector<EmulatedKernel> kernels_;
};

}  // namespace

// Whole layers of CUDA kernels (filter and input transforms, GEMM, output
// transform; or the fused kernel) run in the emulation and held to what `run
// --check` holds them to: at the tensor-core precisions on tensor cores, at
// int8 also by dp4a, int8-io (int8 codes in and out) on tensor cores, and
// fp32 from staged shared memory and fused; and the backward passes. The layer has a channel tail, a partial
// filter tile and a partial tile of tiles, and pads the output's edge tiles.
TEST_CASE("CUDA layers, run in a CPU emulation of their kernels, pass run --check", "[emulated]") {
    const ConvShape shape{1, 40, 10, 12, 24, 3, 1};
    const std::vector<float> x = random_tensor(shape.input_size(), 1), w = random_tensor(shape.filter_size(), 2);
    const std::vector<double> reference = reference_conv2d(shape, x, w);
    const fs::path dir = scratch(4, 3);
    struct Case {
        Precision precision;
        bool tensor_cores;
        Variant variant = Variant::nonfused;
    };
    // int8-io: x coded at its own scale, y at its reference's, as `run` codes them without scales.
    const TensorQuantization coding{.input_scale = *std::max_element(x.begin(), x.end()) / 127,
                                    .input_zero_point = 0,
                                    .output_scale = static_cast<float>(*std::max_element(reference.begin(), reference.end()) / 127),
                                    .output_zero_point = 0};
    const std::vector<float> codes = quantized({x.begin(), x.end()}, coding.input_scale, 0),
                             coded_x = dequantized(codes, coding.input_scale, 0);
    for (const Case c : {Case{Precision::int8, true}, {Precision::int8, false}, {Precision::int8_io, true}, {Precision::split_int8, true},
                         {Precision::split_int8, false}, {Precision::fp16_mixed, true},
                         {Precision::tf32, true}, {Precision::split_tf32, true}, {Precision::fp32, false}, {Precision::fp32, false, Variant::fused}}) {
        ConvConfig config{.variant = c.variant, .m = 4, .params = suggested_params(shape, 4, DeviceClass::gpu), .precision = c.precision};
        config.params[Param::gemm_staging] = parse_value(param_spec(Param::gemm_staging), "double", ParamNaming::key);
        config.params[Param::tensor_cores][0] = c.tensor_cores;
        const bool io = c.precision == Precision::int8_io;
        const std::vector<float>& input = io ? coded_x : x;
        if (spec_of(c.precision).quantized()) config.clips = calibrate_int8(shape, config, {input}, Int8Calibration::mse);
        const ConvPlan plan = make_plan(shape, config, Backend::cuda);
        INFO(plan.kernels.back().name);
        EmulatedCudaLayer layer(plan, dir);
        layer.set_filters(w);
        if (io) layer.set_quantization(coding);
        std::vector<float> y;
        layer.run(io ? codes : x, y);
        layer.check_guards();
        LayerErrors e = io ? compare_with_reference(dequantized(y, coding.output_scale, 0), reference_conv2d(shape, coded_x, w))
                           : compare_with_reference(y, reference);
        e.bound = io ? int8_check_bound(shape, config, coded_x, w, {}, &coding) : check_bound(config, shape, x, w, {});
        INFO("rel_err " << e.relative << ", bound " << e.bound);
        CHECK(e.passed());
    }
    // The backward passes, as a GPU layer untuned runs them: backward-data (dx from dy and w) and
    // backward-filter (dw from x and dy, WinRS's chunks).
    const std::vector<float> dy = random_tensor(shape.output_size(), 3);
    for (const auto& [pass, images, operand] : {std::tuple{Pass::backward_data, &dy, &w}, std::tuple{Pass::backward_filter, &x, &dy}}) {
        const ConvConfig config = untuned_config(shape, DeviceClass::gpu, pass);
        const ConvPlan plan = make_plan(shape, config, Backend::cuda);
        INFO(to_string(pass) << ": " << plan.kernels.back().name);
        EmulatedCudaLayer layer(plan, dir);
        layer.set_filters(*operand);
        std::vector<float> result;
        layer.run(*images, result);
        layer.check_guards();
        LayerErrors e = compare_with_reference(result, reference_pass(shape, pass, *images, *operand));
        e.bound = check_bound(config, shape, *images, *operand, {});
        INFO("rel_err " << e.relative << ", bound " << e.bound);
        CHECK(e.passed());
    }
    fs::remove_all(dir);
}
