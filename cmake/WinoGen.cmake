# wino_generate(): Winograd kernels generated at build time into a target,
# with a registry header to find them by F(m,r) and variant, by name, or by
# layer shape. Included by WinoGenConfig.cmake (find_package(WinoGen)) and by
# wino-gen's own CMakeLists (add_subdirectory), after WINO_GEN_RECIPES_DIR is
# set to the recipe database that the targets' wino-gen reads.
#
#   wino_generate(<target> BACKEND glsl|cuda
#                 CONFIGS F4_3 F6_3 F2_5 F1x4_1x7 ... | LAYERS <layer file> | MODEL <model.onnx> [BATCH <n>]
#                 [VARIANTS nonfused fused] [TUNING_DB <file>] [DEVICE_NAME <text>] [MAX_ERROR <e|none>]
#                 [UNROLL <n|full>] [PRECISION <precision>] [CLIP <c,αta,αtw>] [PASS <pass>] [BIAS] [ACTIVATION <activation>]
#                 [DEVICE_CLASS cpu|gpu] [NAME <registry>] [OUTPUT_DIR <dir>])
#
# CONFIGS: one kernel set per config and variant (nonfused unless VARIANTS),
# each regenerated only when its inputs change; F<m>x<n>_<r>x<s> is
# F(m×n, r×s), each axis a standard recipe (F1x4_1x7: 1×7 filters). LAYERS: a
# layer list ("name N C H W K R pad" a line, R as RxS for other filters) and one set per layer, the fastest in TUNING_DB
# for its device (DEVICE_NAME picks one of several) at PRECISION within the
# error budget MAX_ERROR (emit's --max-error: 1e-5 at fp32 unless given),
# else the untuned one. PRECISION, PASS, BIAS, ACTIVATION and DEVICE_CLASS are `wino-gen emit`'s
# --precision, --pass (forward, backward-data, backward-filter, whose CONFIGS' m is the width of dy's chunks:
# a set's pass is KernelSet::pass, and
# LAYERS' sets are the database's for that pass), --bias, --activation and --device-class (the untuned kernels'
# starting parameters: cpu, lavapipe's, the default for GLSL; gpu, CUDA's) for every set (wino-gen checks their
# values when a unit is built, and fails the build naming the forms).
# CLIP is emit's --clip, precision int8's clips for the sets that have none
# from TUNING_DB (CONFIGS sets always need it): each set carries its clips
# (KernelSet::clip_taps), which its kernels take as data.
# MODEL: an ONNX model's Conv nodes that wino-gen runs, each with the set of
# its shape (the fastest in TUNING_DB as for LAYERS), found by node name too:
# registry().find_node("/layer1/layer1.0/conv1/Conv"), which for a node no set
# runs (stride 2, a 1x1 filter, ...) says why; the build prints those nodes.
# BATCH is the size a dynamic batch dimension stands for (1). Touching the
# model or the database regenerates the unit; emit's manifest.json lies
# beside it (<OUTPUT_DIR>/<NAME>_model/manifest.json).
# GLSL kernels are compiled to SPIR-V by glslangValidator and embedded; CUDA
# kernels are embedded as source for NVRTC. The target gets the sources and
# <NAME>_kernels.hpp: <NAME>_kernels::registry() (<wino/kernel_set.hpp>);
# NAME is the target's unless given, so one target can hold several
# registries. Link WinoGen::runtime to run the sets with wino::Conv2d.
include_guard(GLOBAL)

set_property(GLOBAL PROPERTY WINO_GEN_RECIPES_DIR "${WINO_GEN_RECIPES_DIR}")
set_property(GLOBAL PROPERTY WINO_GEN_EMIT_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/WinoGenEmit.cmake")
if(NOT TARGET WinoGen::glslangValidator)
  find_program(WINO_GEN_GLSLANG_VALIDATOR glslangValidator DOC "GLSL -> SPIR-V for wino_generate(BACKEND glsl)")
  if(WINO_GEN_GLSLANG_VALIDATOR)
    add_executable(WinoGen::glslangValidator IMPORTED GLOBAL)
    set_target_properties(WinoGen::glslangValidator PROPERTIES IMPORTED_LOCATION "${WINO_GEN_GLSLANG_VALIDATOR}")
  endif()
endif()

function(_wino_generate_fail where)
  list(JOIN ARGN "" text)
  message(FATAL_ERROR "${where}: ${text}")
endfunction()

# An existing file named by `argument`, as an absolute path.
function(_wino_generate_file where argument path out)
  cmake_path(ABSOLUTE_PATH path BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" OUTPUT_VARIABLE absolute)
  if(NOT EXISTS "${absolute}" OR IS_DIRECTORY "${absolute}")
    _wino_generate_fail("${where}" "${argument} ${path}: no such file")
  endif()
  set(${out} "${absolute}" PARENT_SCOPE)
endfunction()

function(wino_generate target)
  set(where "wino_generate(${target})")
  cmake_parse_arguments(PARSE_ARGV 1 arg "BIAS" "BACKEND;LAYERS;MODEL;BATCH;TUNING_DB;DEVICE_NAME;MAX_ERROR;UNROLL;PRECISION;CLIP;PASS;ACTIVATION;DEVICE_CLASS;NAME;OUTPUT_DIR"
                        "CONFIGS;VARIANTS")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " extra)
    _wino_generate_fail("${where}" "unknown argument(s) '${extra}'")
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    _wino_generate_fail("${where}" "${arg_KEYWORDS_MISSING_VALUES} needs a value")
  endif()
  if(NOT TARGET ${target})
    _wino_generate_fail("${where}" "no target named '${target}': call it after add_executable or add_library")
  endif()
  if(NOT arg_BACKEND MATCHES "^(glsl|cuda)$")
    _wino_generate_fail("${where}" "BACKEND must be glsl or cuda, not '${arg_BACKEND}'")
  endif()
  if(arg_BACKEND STREQUAL "glsl" AND NOT TARGET WinoGen::glslangValidator)
    _wino_generate_fail("${where}" "BACKEND glsl needs glslangValidator (Debian: glslang-tools), which was not found")
  endif()
  set(sources_given 0)
  foreach(source IN ITEMS CONFIGS LAYERS MODEL)
    if(arg_${source})
      math(EXPR sources_given "${sources_given} + 1")
    endif()
  endforeach()
  if(sources_given GREATER 1)
    _wino_generate_fail("${where}" "give one of CONFIGS, LAYERS and MODEL")
  endif()
  if(sources_given EQUAL 0)
    _wino_generate_fail("${where}" "needs CONFIGS F<m>_<r>..., LAYERS <layer file> or MODEL <model.onnx>")
  endif()
  if((arg_TUNING_DB OR arg_DEVICE_NAME OR DEFINED arg_MAX_ERROR) AND arg_CONFIGS)
    _wino_generate_fail("${where}" "TUNING_DB, DEVICE_NAME and MAX_ERROR are for LAYERS and MODEL: CONFIGS sets are untuned")
  endif()
  if(DEFINED arg_BATCH AND NOT arg_MODEL)
    _wino_generate_fail("${where}" "BATCH is for MODEL: the size its dynamic batch dimension stands for")
  endif()
  if(NOT arg_VARIANTS)
    set(arg_VARIANTS nonfused)
  endif()
  foreach(variant IN LISTS arg_VARIANTS)
    if(NOT variant MATCHES "^(nonfused|fused)$")
      _wino_generate_fail("${where}" "VARIANTS takes nonfused and fused, not '${variant}'")
    endif()
  endforeach()
  set(common --backend ${arg_BACKEND})
  if(DEFINED arg_UNROLL)
    if(NOT arg_UNROLL MATCHES "^([1-9][0-9]*|full)$")
      _wino_generate_fail("${where}" "UNROLL must be a positive count or full, not '${arg_UNROLL}'")
    endif()
    list(APPEND common --unroll ${arg_UNROLL})
  endif()
  if(DEFINED arg_PRECISION)
    list(APPEND common --precision ${arg_PRECISION})
  endif()
  if(DEFINED arg_CLIP)
    list(APPEND common --clip ${arg_CLIP})
  endif()
  if(DEFINED arg_PASS)
    list(APPEND common --pass ${arg_PASS})
  endif()
  if(arg_BIAS)
    list(APPEND common --bias)
  endif()
  if(DEFINED arg_ACTIVATION)
    list(APPEND common --activation ${arg_ACTIVATION})
  endif()
  if(DEFINED arg_DEVICE_CLASS)
    list(APPEND common --device-class ${arg_DEVICE_CLASS})
  endif()
  set(name ${target})
  if(arg_NAME)
    set(name ${arg_NAME})
  endif()
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/${name}_kernels")
  if(arg_OUTPUT_DIR)
    cmake_path(ABSOLUTE_PATH arg_OUTPUT_DIR BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" OUTPUT_VARIABLE out_dir)
  endif()

  get_property(recipes GLOBAL PROPERTY WINO_GEN_RECIPES_DIR)
  get_property(script GLOBAL PROPERTY WINO_GEN_EMIT_SCRIPT)
  file(GLOB standard RELATIVE "${recipes}" "${recipes}/F*_*.json")
  list(TRANSFORM standard REPLACE "\\.json$" "")
  list(SORT standard COMPARE NATURAL)
  list(JOIN standard " " standard_text)
  string(MAKE_C_IDENTIFIER "${name}" ident)

  # What every unit's command runs with and depends on: wino-gen (as the
  # target, in-tree, so it is built first), the emit script, glslangValidator.
  set(tools "$<TARGET_FILE:WinoGen::wino-gen>" "${script}")
  get_target_property(wino_gen WinoGen::wino-gen ALIASED_TARGET)
  if(wino_gen)
    list(APPEND tools ${wino_gen})
  endif()
  set(glslang "")
  if(arg_BACKEND STREQUAL "glsl")
    set(glslang "$<TARGET_FILE:WinoGen::glslangValidator>")
    list(APPEND tools "${glslang}")
  endif()

  set(units "")
  set(sources "")
  macro(_wino_generate_unit unit inputs)
    set(unit_dir "${out_dir}/${unit}")
    list(JOIN emit_args "|" joined)
    add_custom_command(OUTPUT "${unit_dir}/${unit}.cpp"
      COMMAND "${CMAKE_COMMAND}" "-DWINO_GEN=$<TARGET_FILE:WinoGen::wino-gen>" "-DGLSLANG=${glslang}" "-DOUT=${unit_dir}"
              "-DUNIT=${unit}" "-DEMIT_ARGS=${joined}" -P "${script}"
      DEPENDS ${tools} ${inputs}
      COMMENT "wino-gen: kernels ${unit} for ${target}"
      VERBATIM)
    list(APPEND units ${unit})
    list(APPEND sources "${unit_dir}/${unit}.cpp")
  endmacro()

  if(arg_CONFIGS)
    foreach(config IN LISTS arg_CONFIGS)
      # F4_3, or F4x2_3x5 for F(4x2, 3x5): each axis its own recipe, F1_1 where a filter size is 1.
      if(config MATCHES "^F([0-9]+)_([0-9]+)$")
        set(axes "F${CMAKE_MATCH_1}_${CMAKE_MATCH_2}")
        set(tile_args --m ${CMAKE_MATCH_1} --r ${CMAKE_MATCH_2})
      elseif(config MATCHES "^F([0-9]+)x([0-9]+)_([0-9]+)x([0-9]+)$")
        set(axes "F${CMAKE_MATCH_1}_${CMAKE_MATCH_3}" "F${CMAKE_MATCH_2}_${CMAKE_MATCH_4}")
        set(tile_args --m "${CMAKE_MATCH_1},${CMAKE_MATCH_2}" --filter-shape "${CMAKE_MATCH_3},${CMAKE_MATCH_4}")
      else()
        _wino_generate_fail("${where}"
          "CONFIGS: '${config}' is not a config: write F<m>_<r>, e.g. F4_3 for F(4,3), or F<m>x<n>_<r>x<s>, e.g. F1x4_1x7")
      endif()
      set(axis_files "")
      foreach(axis IN LISTS axes)
        if(NOT axis IN_LIST standard)
          _wino_generate_fail("${where}" "CONFIGS: the recipe database has no ${axis} (of ${config}); it has ${standard_text}")
        endif()
        list(APPEND axis_files "${recipes}/${axis}.json")
      endforeach()
      foreach(variant IN LISTS arg_VARIANTS)
        string(TOLOWER "${ident}_${config}_${variant}" unit)
        set(emit_args ${common} ${tile_args} --variant ${variant})
        _wino_generate_unit(${unit} "${axis_files}")
      endforeach()
    endforeach()
  else()
    if(arg_MODEL)
      _wino_generate_file("${where}" MODEL "${arg_MODEL}" model)
      set(emit_args ${common} --model "${model}")
      if(DEFINED arg_BATCH)
        list(APPEND emit_args --batch "${arg_BATCH}")
      endif()
      set(inputs "${model}")
      set(unit_name ${ident}_model)
    else()
      _wino_generate_file("${where}" LAYERS "${arg_LAYERS}" layers)
      set(emit_args ${common} --layers "${layers}")
      set(inputs "${layers}")
      set(unit_name ${ident}_layers)
    endif()
    if(arg_TUNING_DB)
      _wino_generate_file("${where}" TUNING_DB "${arg_TUNING_DB}" db)
      list(APPEND emit_args --db "${db}")
      list(APPEND inputs "${db}")
    endif()
    if(arg_DEVICE_NAME)
      list(APPEND emit_args --device-name "${arg_DEVICE_NAME}")
    endif()
    if(DEFINED arg_MAX_ERROR)
      list(APPEND emit_args --max-error "${arg_MAX_ERROR}")
    endif()
    list(TRANSFORM standard REPLACE "^(.+)$" "${recipes}/\\1.json" OUTPUT_VARIABLE recipe_files)
    _wino_generate_unit(${unit_name} "${inputs};${recipe_files}")
  endif()

  # The registry: written at configure time from the unit list alone, and
  # only when it changes, so a rebuild recompiles just the units that did.
  set(declarations "")
  foreach(part IN ITEMS sets layers nodes skipped)
    set(${part}_spans "")
  endforeach()
  foreach(unit IN LISTS units)
    string(APPEND declarations "extern const std::span<const wino::KernelSet> ${unit}_sets;\n"
                               "extern const std::span<const wino::LayerKernels> ${unit}_layers;\n"
                               "extern const std::span<const wino::NodeKernels> ${unit}_nodes;\n"
                               "extern const std::span<const wino::SkippedNode> ${unit}_skipped;\n")
    foreach(part IN ITEMS sets layers nodes skipped)
      list(APPEND ${part}_spans "wino_generated::${unit}_${part}")
    endforeach()
  endforeach()
  foreach(part IN ITEMS sets layers nodes skipped)
    list(JOIN ${part}_spans ", " ${part}_spans)
  endforeach()
  file(CONFIGURE OUTPUT "${out_dir}/${name}_kernels.hpp" CONTENT
"// Generated by wino_generate(${target} NAME ${name}): the registry of the kernel sets built into
// ${target}. Find a set by F(m,r) and variant, by name or by layer shape, and run
// it with wino::Conv2d(device, shape, *set) (link WinoGen::runtime).
#pragma once

#include <wino/kernel_set.hpp>

namespace ${ident}_kernels {

const wino::Registry& registry();

}  // namespace ${ident}_kernels
" @ONLY)
  file(CONFIGURE OUTPUT "${out_dir}/${name}_kernels.cpp" CONTENT
"// Generated by wino_generate(${target} NAME ${name}): gathers the units' kernel sets.
#include \"${name}_kernels.hpp\"

#include <initializer_list>
#include <span>
#include <vector>

namespace wino_generated {
${declarations}}  // namespace wino_generated

namespace ${ident}_kernels {
namespace {

template <class Record>
std::vector<Record> gathered(std::initializer_list<std::span<const Record>> units) {
    std::vector<Record> all;
    for (const auto unit : units) all.insert(all.end(), unit.begin(), unit.end());
    return all;
}

}  // namespace

const wino::Registry& registry() {
    static const auto sets = gathered<wino::KernelSet>({${sets_spans}});
    static const auto layers = gathered<wino::LayerKernels>({${layers_spans}});
    static const auto nodes = gathered<wino::NodeKernels>({${nodes_spans}});
    static const auto skipped = gathered<wino::SkippedNode>({${skipped_spans}});
    static const wino::Registry registry{sets, layers, nodes, skipped};
    return registry;
}

}  // namespace ${ident}_kernels
" @ONLY)
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_sources(${target} PRIVATE ${sources} "${out_dir}/${name}_kernels.cpp")
  target_include_directories(${target} PRIVATE "${out_dir}" "$<TARGET_PROPERTY:WinoGen::runtime,INTERFACE_INCLUDE_DIRECTORIES>")
endfunction()
