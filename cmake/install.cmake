# `cmake --install`: the CLI, the libraries (and the CUDA module), the public
# headers, the recipe database and point tables (installed by their folders),
# and the CMake package. Every path is relative to the prefix: the libraries
# find their data from where they lie, the binaries their libraries through
# $ORIGIN, so the tree works wherever it is moved.
include(CMakePackageConfigHelpers)

configure_file(${CMAKE_CURRENT_LIST_DIR}/version.hpp.in ${PROJECT_BINARY_DIR}/include/wino/version.hpp @ONLY)
target_include_directories(winogen PUBLIC $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>)

install(TARGETS ${WINO_EXPORTED_TARGETS} EXPORT WinoGenTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS winogen_tuner LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/wino ${PROJECT_BINARY_DIR}/include/wino
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(WINO_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/WinoGen)
set(WINO_HAS_CUDA FALSE)
if(TARGET winogen_cuda)
  set(WINO_HAS_CUDA TRUE)
endif()
install(EXPORT WinoGenTargets NAMESPACE WinoGen:: DESTINATION ${WINO_PACKAGE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/WinoGenConfig.cmake.in ${PROJECT_BINARY_DIR}/WinoGenConfig.cmake
                              INSTALL_DESTINATION ${WINO_PACKAGE_DIR} PATH_VARS WINO_DATA_DIR)
# 0.x: a minor version may change the API, so only the same minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/WinoGenConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/WinoGenConfig.cmake ${PROJECT_BINARY_DIR}/WinoGenConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/WinoGen.cmake ${CMAKE_CURRENT_LIST_DIR}/WinoGenEmit.cmake
        DESTINATION ${WINO_PACKAGE_DIR})

# What a GPU machine runs from the package (scripts/gpu-check, installed as
# wino-gen-gpu-check, finds the rest from where it lies): the layer lists and
# the PyTorch side of the comparison (examples/cudnn-compare installs it and
# wino-gen-cudnn-compare).
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/gpu-check DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME wino-gen-gpu-check)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/layers/ DESTINATION ${WINO_DATA_DIR}/layers FILES_MATCHING PATTERN "*.txt")
