# One wino_generate() unit, run by its custom command as `cmake -P`: wino-gen
# emit writes the kernels and the registry unit into a fresh folder, each GLSL
# kernel is compiled to a SPIR-V header by glslangValidator, and only then
# does the folder replace OUT, so a failed or killed step leaves no unit that
# looks current.
# -DWINO_GEN=<exe> -DGLSLANG=<exe or empty> -DOUT=<folder> -DUNIT=<id> -DEMIT_ARGS=<args, | between>
cmake_minimum_required(VERSION 3.25)
set(staging "${OUT}.staging")
file(REMOVE_RECURSE "${staging}")
file(MAKE_DIRECTORY "${staging}")
string(REPLACE "|" ";" args "${EMIT_ARGS}")
execute_process(COMMAND "${WINO_GEN}" emit ${args} --registry-unit "${UNIT}" --out "${staging}"
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE log)
if(NOT status EQUAL 0)
  file(REMOVE_RECURSE "${staging}")
  string(STRIP "${log}" log)
  message(FATAL_ERROR "wino_generate: ${UNIT}: ${log}")
endif()
# What emit said on the way: a model's skipped nodes, layers without a tuning result.
string(STRIP "${log}" log)
if(log)
  message(STATUS "wino_generate: ${UNIT}:\n${log}")
endif()
file(STRINGS "${staging}/${UNIT}.spirv.txt" kernels)
foreach(line IN LISTS kernels)
  separate_arguments(fields UNIX_COMMAND "${line}")
  list(GET fields 0 source)
  list(GET fields 1 header)
  list(GET fields 2 array)
  # Vulkan 1.1 / SPIR-V 1.3, as the runtime's in-process glslang compiles.
  execute_process(COMMAND "${GLSLANG}" -V --target-env vulkan1.1 --vn "${array}" -o "${staging}/${header}" "${staging}/${source}"
                  RESULT_VARIABLE status OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT status EQUAL 0)
    file(REMOVE_RECURSE "${staging}")
    message(FATAL_ERROR "wino_generate: glslangValidator refused ${source}: ${log}")
  endif()
endforeach()
file(REMOVE_RECURSE "${OUT}")
file(RENAME "${staging}" "${OUT}")
