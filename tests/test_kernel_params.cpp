// The parameter, kernel-kind and backend tables: every parameter reaches the
// flags, the JSON config and the kernels' header comment; every range and
// constraint refuses what it should, and only where its kernels are made; the
// argument block and the kernel names follow from the tables.
#include "templates/emitter.hpp"
#include "templates/layer_plan.hpp"
#include <wino/errors.hpp>
#include "recipes/recipe_db.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

using namespace wino;

namespace {

// A layer and a device under which the defaults are valid.
const ConvShape layer{1, 3, 10, 10, 5, 3, 1};
const DeviceLimits roomy{1024, {65535, 65535, 65535}, 49152};  // CUDA's shared memory a workgroup

ParamContext everything(const DeviceLimits* limits = &roomy, int m = 4, const ConvShape* shape = &layer) {
    std::vector<KernelKind> kinds;
    for (const KindSpec& k : kernel_kinds()) kinds.push_back(k.kind);
    return {kinds, shape, m, limits};
}

// A value that breaks one constraint, the context it is judged in, and what the
// refusal says.
struct Breach {
    ParamValue value;
    ParamContext context;
    bool device_error;
    std::string says;
    std::vector<std::pair<Param, ParamValue>> others = {};  // other parameters the breach needs set
};

ParamContext at(Precision precision, ParamContext context = everything()) {
    context.precision = precision;
    return context;
}
ParamContext in(Backend backend, ParamContext context = everything()) {
    context.backend = backend;
    return context;
}
const std::vector<std::pair<Param, ParamValue>> staged_warps = {
    {Param::gemm_staging, {1, 0}}, {Param::gemm_threads, {2, 32}}, {Param::gemm_registers, {8, 8}}};

const DeviceLimits small_workgroups{32, {65535, 65535, 65535}, 32768};
const DeviceLimits small_shared{1024, {65535, 65535, 65535}, 8192};
const DeviceLimits tiny_shared{1024, {65535, 65535, 65535}, 1024};  // the default GEMM, double-staged, needs 5120 bytes
const ConvShape odd_width{1, 3, 10, 11, 5, 3, 1};

// One breach per constraint of each parameter, in the table's order.
std::map<std::string, std::vector<Breach>> breaches() {
    return {
        {"unroll", {}},
        {"workgroup_size", {{{64, 0}, everything(&small_workgroups), true, "device limit 32"}}},
        {"gemm_threads",
         {{{64, 32}, everything(), false, "more than the 1024"}, {{8, 8}, everything(&small_workgroups), true, "device limit 32"}}},
        {"gemm_registers", {{{6, 8}, everything(), false, "multiples of 4"}, {{64, 8}, everything(), false, "more than 256"}}},
        {"gemm_staging", {{{2, 0}, in(Backend::cuda, everything(&tiny_shared)), true, "double needs 5120 bytes of shared memory"}}},
        {"gemm_subgroup",
         {{{6, 0}, everything(), false, "a subgroup's lanes, a power of two, not 6"},
          {{8, 0}, everything(), true, "needs a device whose compute subgroups shuffle and all have one size"}}},  // roomy has none
        {"tensor_cores",
         {{{1, 0}, at(Precision::fp32), false, "precision fp16-mixed, tf32, split-tf32, int8, int8-io, split-int8 or split-int8-io, not fp32"},
          {{1, 0}, at(Precision::fp16_mixed), false, "threads a multiple of 32", {{Param::gemm_staging, {1, 0}}}},
          {{1, 0}, at(Precision::fp16_mixed), true, "needs a device with tensor cores", staged_warps}}},
        {"integer_dot",
         {{{1, 0}, at(Precision::fp32), false, "multiplies int8 codes: precision int8, int8-io, split-int8 or split-int8-io, not fp32"},
          {{1, 0}, at(Precision::int8), true, "needs a device with shaderIntegerDotProduct"}}},  // roomy has none
        {"cublas", {{{1, 0}, everything(), true, "cuBLAS"}}},  // roomy has no vendor BLAS
        {"fused_tile", {{{4, 64}, everything(&small_shared), true, "shared memory"}}},
        {"fused_registers", {{{3, 1}, everything(), false, "must divide fused_tile 16x8"}}},
        {"fused_positions",
         {{{64, 0}, everything(), false, "fused workgroup of 8192 threads", {{Param::fused_registers, {1, 1}}}},
          {{9, 0}, everything(&small_workgroups), true, "device limit 32"},
          {{1, 0}, everything(), false, "fused_registers 2x2 leaves a fused thread 144 running sums at 36 positions"}}},
        {"transform_tiles", {{{2, 0}, everything(), false, "1 or 4"}}},
        {"vector_rows",
         {{{1, 0}, everything(&roomy, 4, &odd_width), false, "multiples of 4"}}},
    };
}

// The call throws Error, and its message contains `says`.
template <class Error, class Call>
void refuses(const Call& call, const std::string& says) {
    CHECK_THROWS_AS(call(), Error);
    CHECK_THROWS_WITH(call(), Catch::Contains(says));
}

}  // namespace

namespace {

// The GEMM on tensor cores, in a block they split into warps' tiles.
KernelParams on_tensor_cores() {
    KernelParams p;
    p[Param::tensor_cores][0] = 1;
    for (const auto& [other, value] : staged_warps) p[other] = value;
    return p;
}
// A device whose tensor cores take binary16 operands (sm_75; Vulkan's cooperative matrices).
DeviceLimits binary16_tensor_cores() {
    DeviceLimits d = roomy;
    d.tensor_cores = true;
    return d;
}
const Precision tf32_and_int8[] = {Precision::tf32, Precision::split_tf32, Precision::int8, Precision::int8_io, Precision::split_int8,
                                   Precision::split_int8_io};

}  // namespace

TEST_CASE("tensor cores take binary16 operands from sm_75, TF32 ones (tf32, split-tf32) and int8 codes only from sm_80") {
    const KernelParams p = on_tensor_cores();
    const DeviceLimits turing = binary16_tensor_cores();
    DeviceLimits ampere = turing;
    ampere.tf32_tensor_cores = true;
    CHECK_NOTHROW(check_params(p, at(Precision::fp16_mixed, everything(&turing))));
    for (Precision precision : tf32_and_int8) {
        INFO(to_string(precision));
        refuses<DeviceError>([&] { check_params(p, at(precision, everything(&turing))); }, "need sm_80's tensor cores, which take TF32 and int8 (CUDA, sm_80 on)");
        CHECK_NOTHROW(check_params(p, at(precision, everything(&ampere))));
    }
}

// GLSL's tensor cores are cooperative matrices of binary16 operands, on a
// device that has them (VK_NV_cooperative_matrix's 16x8x8 tile in subgroups
// of 32, DeviceLimits::tensor_cores as the Vulkan executor sets it); their
// GEMM stages binary16 values and stores its tiles through shared memory.
TEST_CASE("tensor cores in GLSL take binary16 operands only, on a device with cooperative matrices") {
    const KernelParams p = on_tensor_cores();
    const DeviceLimits nvidia = binary16_tensor_cores();
    CHECK_NOTHROW(check_params(p, in(Backend::glsl, at(Precision::fp16_mixed, everything(&nvidia)))));
    for (Precision precision : tf32_and_int8) {
        INFO(to_string(precision));
        refuses<InputError>([&] { check_params(p, in(Backend::glsl, at(precision, everything(&nvidia)))); },
                            fmt::format("tensor_cores in GLSL are cooperative matrices of binary16 operands: precision fp16-mixed, not {}",
                                        to_string(precision)));
    }
    refuses<DeviceError>([&] { check_params(p, in(Backend::glsl, at(Precision::fp16_mixed))); },
                         "needs a device with tensor cores (CUDA: sm_75 on; Vulkan: VK_NV_cooperative_matrix's 16x8x8");
    // 2x32 threads, 8x8 registers, single-staged: 8 channels x (16 + 8 + 256 + 8) values (rows padded by 2
    // quads), 4608 bytes in binary16, and a 16x8 tile of fp32 sums for each of the 2 warps (1024 bytes);
    // CUDA stages them as fp32 and stores its sums from registers.
    CHECK(gemm_shared_bytes(p, Backend::glsl) == 4608 + 1024);
    CHECK(gemm_shared_bytes(p, Backend::cuda) == 2 * 4608);
}

TEST_CASE("each backend's defaults keep every constraint") {
    for (const BackendSpec& b : backends()) CHECK_NOTHROW(check_params(default_params(b.backend), everything()));
}

TEST_CASE("every range and constraint of the table refuses what it should") {
    const auto cases = breaches();
    for (const ParamSpec& spec : param_table()) {
        INFO(spec.name);
        REQUIRE(cases.count(spec.name));
        const std::vector<Breach>& breach = cases.at(spec.name);
        CHECK(breach.size() == spec.constraints.size());
        for (std::size_t i = 0; i < breach.size() && i < spec.constraints.size(); ++i) {
            const Breach& b = breach[i];
            KernelParams p;
            p[spec.param] = b.value;
            for (const auto& [other, value] : b.others) p[other] = value;
            if (b.device_error)
                refuses<DeviceError>([&] { check_params(p, b.context); }, b.says);
            else
                refuses<InputError>([&] { check_params(p, b.context); }, b.says);
            if (spec.constraints[i].needs == ParamConstraint::Needs::value) continue;
            // Not judged while none of its kernels is made, nor before the layer or device is known.
            ParamContext unmade = b.context;
            unmade.kinds = {};
            CHECK_NOTHROW(check_params(p, unmade));
            CHECK_NOTHROW(check_params(p, {b.context.kinds}));
        }
        // The range, at both ends of every number.
        const int numbers = spec.type == ParamType::pair ? 2 : 1;
        for (int i = 0; i < numbers; ++i)
            for (int outside : {spec.min - 1, spec.max + 1}) {
                if (spec.type == ParamType::unroll && outside == 0) continue;  // 0 is "full"
                KernelParams p;
                p[spec.param][i] = outside;
                refuses<InputError>([&] { check_params(p, {}); }, spec.name);
                refuses<InputError>([&] { check_params(p, {.kinds = {}, .naming = ParamNaming::flag}); }, spec.flag);
            }
    }
}

TEST_CASE("every parameter is a flag of run and emit, a key of the JSON config, a word of its kernels' header and their #define") {
    const auto emit_help = test::run_wino_gen("emit --help"), run_help = test::run_wino_gen("run --help");
    const ConvShape layer(1, 2, 6, 6, 3, 3, Padding{});
    const nlohmann::ordered_json config = to_json(untuned_config(layer, DeviceClass::cpu));  // run's "config"
    const RecipeSet s = recipes_for(4, 3, default_points(6), {});
    for (const ParamSpec& spec : param_table()) {
        INFO(spec.name);
        CHECK(emit_help.out.find(spec.flag) != std::string::npos);
        CHECK(run_help.out.find(spec.flag) != std::string::npos);
        CHECK(config.contains(spec.name));
        REQUIRE_FALSE(spec.kinds.empty());
        for (const BackendSpec& b : backends())
            for (KernelKind kind : spec.kinds) {
                const KernelParams p = default_params(b.backend);
                const EmittedKernel k = emit_kernel(kind, ConvAlgorithm::square(s), p, b.backend);
                CHECK(k.source.find(fmt::format("{} {}", spec.name, value_text(spec, p[spec.param]))) != std::string::npos);
                CHECK(k.source.find(defines_of(spec, p[spec.param])) != std::string::npos);
            }
    }
}

TEST_CASE("a flag's text reads back as the value it shows") {
    for (const ParamSpec& spec : param_table()) {
        INFO(spec.name);
        const ParamValue value = KernelParams()[spec.param];
        const std::string text =
            spec.type == ParamType::pair ? fmt::format("{},{}", value[0], value[1]) : value_text(spec, value);
        CHECK(parse_value(spec, text, ParamNaming::flag) == value);
        refuses<InputError>([&] { parse_value(spec, "x9", ParamNaming::flag); }, spec.flag);
        refuses<InputError>([&] { parse_value(spec, "x9", ParamNaming::key); }, spec.name);
    }
}

TEST_CASE("a choice reads and shows its named values, and names its kernels by all but the first") {
    const ParamSpec& spec = param_spec(Param::gemm_staging);
    CHECK(spec.min == 0);
    CHECK(static_cast<std::size_t>(spec.max) + 1 == spec.choices.size());
    CHECK(parse_value(spec, "double", ParamNaming::flag) == ParamValue{2, 0});
    CHECK(value_text(spec, {1, 0}) == "shared");
    CHECK(name_part(spec, {0, 0}).empty());
    CHECK(name_part(spec, {2, 0}) == "double");
    CHECK(to_json(KernelParams())["gemm_staging"] == "global");
    KernelParams p = params_from_json(nlohmann::json::parse(R"({"gemm_staging": "shared"})"), KernelParams());
    CHECK(p[Param::gemm_staging] == ParamValue{1, 0});
    refuses<InputError>([] { parse_value(param_spec(Param::gemm_staging), "tripple", ParamNaming::flag); },
                        "--gemm-staging takes global, shared, double, not 'tripple'");
    refuses<InputError>([] { params_from_json(nlohmann::json::parse(R"({"gemm_staging": 1})"), KernelParams()); },
                        "kernel parameter 'gemm_staging' cannot be 1");
}

TEST_CASE("a subgroup's shared loads take the device's lanes, a global GEMM, and threads in whole subgroups") {
    const ParamSpec& spec = param_spec(Param::gemm_subgroup);
    DeviceLimits lavapipe = roomy, nvidia = roomy;
    lavapipe.subgroup_size = 8;
    nvidia.subgroup_size = 32;
    nvidia.device_class = DeviceClass::gpu;
    KernelParams p;  // 1x8 threads
    p[Param::gemm_subgroup] = {8, 0};
    CHECK_NOTHROW(check_params(p, everything(&lavapipe)));
    refuses<DeviceError>([&] { check_params(p, everything(&nvidia)); }, "gemm_subgroup 8 needs subgroups of 8 lanes, the device's have 32");
    for (const auto& [threads, fits] : std::vector<std::pair<ParamValue, bool>>{
             {{8, 1}, true}, {{2, 4}, true}, {{1, 16}, true}, {{4, 16}, true}, {{3, 4}, false}, {{1, 4}, false}, {{1, 12}, false}}) {
        INFO(threads[0] << "x" << threads[1]);
        KernelParams q = p;
        q[Param::gemm_threads] = threads;
        if (fits)
            CHECK_NOTHROW(check_params(q, everything(&lavapipe)));
        else
            refuses<InputError>([&] { check_params(q, everything(&lavapipe)); }, "threads in whole subgroups");
    }
    KernelParams staged = p;
    staged[Param::gemm_staging] = {1, 0};
    refuses<InputError>([&] { check_params(staged, {.kinds = {}, .naming = ParamNaming::flag}); },
                        "--gemm-subgroup shares the loads of a GEMM that reads global memory: --gemm-staging global");
    // Off is written "off", held and stored as 0, and names nothing; on, the lanes.
    CHECK(value_text(spec, {0, 0}) == "off");
    CHECK(parse_value(spec, "off", ParamNaming::flag) == ParamValue{0, 0});
    CHECK(parse_value(spec, "32", ParamNaming::flag) == ParamValue{32, 0});
    refuses<InputError>([&] { parse_value(spec, "on", ParamNaming::flag); }, "--gemm-subgroup takes off or numbers from 4 to 128, not 'on'");
    CHECK(name_part(spec, {0, 0}).empty());
    CHECK(name_part(spec, {8, 0}) == "sg8");
    CHECK(to_json(KernelParams())["gemm_subgroup"] == 0);
    CHECK(params_from_json(to_json(p), KernelParams()) == p);
    refuses<InputError>([] { params_from_json(nlohmann::json::parse(R"({"gemm_subgroup": 2})"), KernelParams()); },
                        "kernel parameter 'gemm_subgroup' cannot be 2");
    // On by default on a CPU device, at its lanes, where the GEMM reads global
    // memory; never on a GPU's, nor in staged GEMMs.
    const ParamContext glsl{.kinds = {KernelKind::gemm}, .limits = &lavapipe, .backend = Backend::glsl, .precision = Precision::fp32};
    CHECK(fit_to_device(KernelParams(), glsl)[Param::gemm_subgroup] == ParamValue{8, 0});
    KernelParams staged_off = staged;
    staged_off[Param::gemm_subgroup] = {0, 0};
    CHECK(fit_to_device(staged_off, glsl)[Param::gemm_subgroup] == ParamValue{0, 0});
    ParamContext gpu = glsl;
    gpu.limits = &nvidia;
    CHECK(fit_to_device(KernelParams(DeviceClass::gpu), gpu)[Param::gemm_subgroup] == ParamValue{0, 0});
    ParamContext transforms = glsl;
    transforms.kinds = {KernelKind::input_transform};
    CHECK(fit_to_device(KernelParams(), transforms)[Param::gemm_subgroup] == ParamValue{0, 0});
}

TEST_CASE("a parameter's #defines name it and its value") {
    KernelParams p;
    CHECK(defines_of(param_spec(Param::gemm_threads), p[Param::gemm_threads]) == "#define WINO_GEMM_THREADS_K 1\n#define WINO_GEMM_THREADS_P 8\n");
    CHECK(defines_of(param_spec(Param::unroll), p[Param::unroll]) == "#define WINO_UNROLL 0\n");
    CHECK(defines_of(param_spec(Param::vector_rows), {1, 0}) == "#define WINO_VECTOR_ROWS 1\n");
}

TEST_CASE("kernel names are systematic: F(m,r), kind, and every parameter that shapes the kind") {
    const RecipeSet s = recipes_for(4, 3, default_points(6), {});
    KernelParams p;
    CHECK(kernel_name(KernelKind::gemm, ConvAlgorithm::square(s), p) == "wino_f4_3_gemm_t1x8_r16x8");
    p[Param::unroll][0] = 2;
    p[Param::vector_rows][0] = 1;
    CHECK(kernel_name(KernelKind::output_transform, ConvAlgorithm::square(s), p) == "wino_f4_3_output_transform_u2_wg64_tt4_vr");
    CHECK(kernel_name(KernelKind::direct, ConvAlgorithm::direct(5, 5), p) == "wino_direct_r5_wg64");
    // Distinct parameters that shape a kind give distinct names; others do not change it.
    KernelParams q = p;
    q[Param::fused_tile] = {8, 8};
    CHECK(kernel_name(KernelKind::gemm, ConvAlgorithm::square(s), q) == kernel_name(KernelKind::gemm, ConvAlgorithm::square(s), p));
    CHECK(kernel_name(KernelKind::fused, ConvAlgorithm::square(s), q) != kernel_name(KernelKind::fused, ConvAlgorithm::square(s), p));
}

TEST_CASE("the argument block is declared from the same list the runtime fills") {
    CHECK(sizeof(KernelArgs) == kernel_arg_names().size() * sizeof(std::int32_t));
    const ConvShape shape{2, 3, 11, 13, 5, 3, 1};
    const KernelArgs args = kernel_args(shape, shape, tiling_of(shape, Variant::nonfused, 4));
    CHECK(args.out_w == 13);
    CHECK(args.P == 2 * 3 * 4);
    CHECK(args.p_quads == 6);
    CHECK(args.k_quads == 2);
    const RecipeSet s = recipes_for(4, 3, default_points(6), {});
    for (const BackendSpec& b : backends()) {
        const std::string source = emit_kernel(KernelKind::gemm, ConvAlgorithm::square(s), default_params(b.backend), b.backend).source;
        std::string fields;
        for (const std::string& name : kernel_arg_names()) fields += " int " + name + ";";
        CHECK(source.find(fields) != std::string::npos);
    }
}

TEST_CASE("variants and backends are named by their tables") {
    for (const VariantSpec& v : variants()) CHECK(parse_variant(v.name, "the variant") == v.variant);
    for (const BackendSpec& b : backends()) {
        CHECK(parse_backend(b.name, "the backend") == b.backend);
        CHECK(parse_backend(b.api, "the backend") == b.backend);
    }
    refuses<InputError>([&] { parse_variant("winograd", "the variant"); }, "nonfused, fused, direct");
    refuses<InputError>([&] { parse_backend("metal", "the backend"); }, "glsl or cuda");
}

TEST_CASE("every row of the parameter table is found by its Param and by its JSON key, and nothing else is") {
    std::size_t index = 0;
    for (const ParamSpec& spec : param_table()) {
        INFO(spec.name);
        CHECK(static_cast<std::size_t>(spec.param) == index++);
        CHECK(&param_spec(spec.param) == &spec);
        CHECK(find_param(spec.name) == &spec);
    }
    CHECK(find_param("gemm_register") == nullptr);
    CHECK(find_param("") == nullptr);
}

TEST_CASE("the suggested fused block fits every standard tile on a device of 32 KiB of shared memory, on either class") {
    const DeviceLimits small{1024, {65535, 65535, 65535}, 32768};
    for (const auto& [m, r] : standard_configs())
        for (DeviceClass device_class : {DeviceClass::cpu, DeviceClass::gpu}) {
            const ConvShape shape{1, 16, 20, 20, 16, r, r / 2};
            INFO("F(" << m << "," << r << ") " << (device_class == DeviceClass::gpu ? "gpu" : "cpu"));
            const KernelParams p = suggested_params(shape, m, device_class);
            CHECK_NOTHROW(check_params(p, {.kinds = spec_of(Variant::fused).kinds, .shape = &shape, .m = m, .limits = &small}));
            // Fitted no further than it had to be: the block is whole where the default fits.
            if (fused_shared_bytes(KernelParams(device_class), (m + r - 1) * (m + r - 1)) <= 32768)
                CHECK(p[Param::fused_tile] == KernelParams(device_class)[Param::fused_tile]);
        }
}
